using Miou.Tests.Shared;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Miou.Analyzers.Tests;

/// <summary>Every rule's help link names its page in the repository, and the index of docs/diagnostics/ lists it.</summary>
public sealed class HelpLinkTests
{
    public static IEnumerable<TestCaseData> Rules() =>
        typeof(Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(DiagnosticAnalyzer)))
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
            .Select(d => new TestCaseData(d.Id, d.HelpLinkUri).SetName("Help link of " + d.Id));

    [TestCaseSource(nameof(Rules))]
    public void The_help_link_is_the_rules_page_and_the_index_lists_it(string id, string helpLink)
    {
        Assert.That(helpLink, Is.EqualTo(Descriptors.HelpLinkBase + id + ".md"));
        var page = Path.Combine(RepositoryPaths.Root, helpLink);
        Assert.That(File.Exists(page), Is.True, page);
        Assert.That(File.ReadLines(page).First(), Does.StartWith($"# {id}: "));
        var index = File.ReadAllText(Path.Combine(RepositoryPaths.Root, Descriptors.HelpLinkBase, "README.md"));
        Assert.That(index, Does.Contain($"| [{id}]({id}.md) |"));
    }

}
