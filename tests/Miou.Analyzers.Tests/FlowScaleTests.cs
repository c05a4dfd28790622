using System.Text;
using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>
/// The obligation flow on functions with many variables and many obligations: a flow state holds one row of holder bits
/// per obligation, in as many 64-bit words as the function has holders (variables and flow captures), so these functions
/// need more than one word per row and more than 64 rows. MIOU0001 and MIOU0006 must report the same there as in a small
/// function.
/// </summary>
public sealed class FlowScaleTests
{
    private const int Many = 70;

    /// <summary>A promise copied through <see cref="Many"/> locals, then awaited through the last one or not at all.</summary>
    private static string CopyChain(string spawn, string end)
    {
        var text = new StringBuilder("[Fiber] void M() { var p0 = " + spawn + "(() => 1);");
        for (var i = 1; i <= Many; i++)
        {
            text.Append($" var p{i} = p{i - 1};");
        }

        return text.Append(' ').Append(end).Append(" }").ToString();
    }

    /// <summary><see cref="Many"/> children, each in a local of its own, each awaited but the one named <paramref name="forgotten"/>.</summary>
    private static string ManyChildren(int forgotten)
    {
        var text = new StringBuilder("[Fiber] void M() {");
        for (var i = 0; i < Many; i++)
        {
            text.Append(i == forgotten ? $" var p{i} = {{|MIOU0001:Fiber.Async|}}(() => {i});" : $" var p{i} = Fiber.Async(() => {i});");
        }

        for (var i = 0; i < Many; i++)
        {
            if (i != forgotten)
            {
                text.Append($" Fiber.Await(p{i});");
            }
        }

        return text.Append(" }").ToString();
    }

    /// <summary><see cref="Many"/> resources, each owned, each released but the one named <paramref name="leaked"/>, and many locals besides.</summary>
    private static string ManyResources(int leaked)
    {
        var text = new StringBuilder("[Fiber] void M() {");
        for (var i = 0; i < Many; i++)
        {
            text.Append($" var r{i} = Ownership.Create({i}, _ => {{ }});");
            text.Append(i == leaked ? $" {{|MIOU0006:Ownership.Own|}}(r{i});" : $" Ownership.Own(r{i});");
        }

        for (var i = 0; i < Many; i++)
        {
            if (i != leaked)
            {
                text.Append($" Ownership.Release(r{i});");
            }
        }

        return text.Append(" }").ToString();
    }

    public static IEnumerable<TestCaseData> ChildCases()
    {
        yield return Case("A child copied through 70 locals and awaited through the last", CopyChain("Fiber.Async", $"Fiber.Await(p{Many});"));
        yield return Case("A child copied through 70 locals and never awaited", CopyChain("{|MIOU0001:Fiber.Async|}", "Fiber.Yield();"));
        yield return Case("The last of 70 children forgotten", ManyChildren(forgotten: Many - 1));
        yield return Case("The first of 70 children forgotten", ManyChildren(forgotten: 0));
        yield return Case("All of 70 children awaited", ManyChildren(forgotten: -1));
    }

    public static IEnumerable<TestCaseData> ResourceCases()
    {
        yield return Case("The last of 70 resources leaked", ManyResources(leaked: Many - 1));
        yield return Case("The 65th of 70 resources leaked", ManyResources(leaked: 64));
        yield return Case("All of 70 resources released", ManyResources(leaked: -1));
    }

    [TestCaseSource(nameof(ChildCases))]
    public void Children(string source) => Verify<ChildNotAwaitedAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(ResourceCases))]
    public void Resources(string source) => Verify<ResourceLeakedAnalyzer>.Diagnostics(source);
}
