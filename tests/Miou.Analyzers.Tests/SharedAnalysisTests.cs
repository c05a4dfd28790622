using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Miou.Analyzers.Tests.Infrastructure;

namespace Miou.Analyzers.Tests;

/// <summary>
/// What the analyzers share in one compile: Miou's symbols and what each method is to Miou (one MiouSymbols per
/// compilation), each graph's walk (GraphScan, with the sites both flows compile their events from). Whichever analyzer
/// runs first builds them; every analyzer must report exactly what it reports alone, in any order, concurrently or not.
/// </summary>
public sealed class SharedAnalysisTests
{
    /// <summary>A forgotten child and a leaked resource in the same functions (a [Fiber] method and a child's body), next to correct code.</summary>
    private const string Source = """
        public partial class C
        {
            [Fiber] int M(bool c)
            {
                var p = Fiber.Async(() => 1);
                var q = Fiber.Async(() => 2);
                var r = Ownership.Create(1, _ => { });
                Ownership.Own(r);
                var s = Ownership.Create(2, _ => { });
                Ownership.Own(s);
                var child = Fiber.Async(() => { var t = Ownership.Create(3, _ => { }); Ownership.Own(t); Fiber.Async(() => 4); return 5; });
                try
                {
                    if (c)
                    {
                        Fiber.Cancel(q);
                        Ownership.Release(s);
                        return 0;
                    }

                    Ownership.Disown(s);
                    return Fiber.Await(q) + Fiber.Await(child);
                }
                finally
                {
                    Console.WriteLine(p.Id);
                }
            }
        }
        """;

    private static IEnumerable<DiagnosticAnalyzer> All() =>
    [
        new ChildNotAwaitedAnalyzer(), new NotAChildAnalyzer(), new SuspendOutsideFiberAnalyzer(),
        new SwallowedCancellationAnalyzer(), new BlockingCallAnalyzer(), new ResourceLeakedAnalyzer(),
    ];

    private static string[] Describe(IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics.Select(d => $"{d.Id} {d.Location.SourceSpan} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal)];

    private static ImmutableArray<Diagnostic> Run(Compilation compilation, IEnumerable<DiagnosticAnalyzer> analyzers, bool concurrent)
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } }, concurrentAnalysis: concurrent, logAnalyzerExecutionTime: false);
        var diagnostics = compilation.WithAnalyzers([.. analyzers], options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.That(exceptions, Is.Empty, () => "An analyzer threw:\n" + string.Join("\n", exceptions));
        return diagnostics;
    }

    [Test]
    public void Every_analyzer_reports_together_what_it_reports_alone([Values] bool concurrent, [Values] bool reversed)
    {
        var compilation = Compiler.Compile(Source);
        Compiler.AssertCompiles(compilation);
        var alone = Describe(All().SelectMany(analyzer => Compiler.Analyze(compilation, analyzer)));
        var analyzers = reversed ? All().Reverse() : All();
        Assert.That(Describe(Run(compilation, analyzers, concurrent)), Is.EqualTo(alone));
        Assert.That(alone.Count(d => d.StartsWith("MIOU0001", StringComparison.Ordinal)), Is.EqualTo(3), "the child p, the child left on the early return, and the one the child's body forgets");
        Assert.That(alone.Count(d => d.StartsWith("MIOU0006", StringComparison.Ordinal)), Is.EqualTo(2), "the resource r, and the one the child's body leaks");
    }
}
