namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>Test cases: members of a partial class, named after what they check.</summary>
internal static class Snippets
{
    public static TestCaseData Case(string name, string members) => new TestCaseData("public partial class C\n{\n" + members + "\n}\n").SetName(name);
}
