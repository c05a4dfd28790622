using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Miou.Analyzers.Tests.Infrastructure;

namespace Miou.Analyzers.Tests;

/// <summary>
/// Issue 5's end-to-end check. EndToEnd/Violations.cs breaks each rule once (the line says which, "// expect: MIOUxxxx");
/// compiled with the generator and the analyzers loaded from their assemblies, each rule is reported on exactly that
/// line of the user's file and never in generated code. EndToEnd/Fixed.cs, the same program fixed, builds clean.
/// </summary>
public sealed partial class EndToEndTests
{
    private const string UserFile = "/src/Shop.cs";

    [Test]
    public void The_generator_and_every_analyzer_load_from_their_assemblies()
    {
        Assert.That(Pipeline.Generators.Select(g => g.GetGeneratorType().Name), Is.EqualTo(new[] { "FiberGenerator" }));
        var ids = Pipeline.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Order(StringComparer.Ordinal);
        Assert.That(ids, Is.EqualTo(new[] { "MIOU0001", "MIOU0002", "MIOU0003", "MIOU0004", "MIOU0005", "MIOU0006" }));
        Assert.That(Pipeline.Analyzers.Select(a => a.GetType().Assembly.Location), Has.All.EqualTo(Path.Combine(AppContext.BaseDirectory, "Miou.Analyzers.dll")));
        Assert.That(Pipeline.Analyzers.Select(a => a.GetType()), Has.None.EqualTo(typeof(ChildNotAwaitedAnalyzer)), "loaded in their own context, as the compiler loads them");
    }

    [Test]
    public void Each_violation_is_reported_on_the_users_line_and_never_in_generated_code()
    {
        var source = Pipeline.Sample("Violations.cs");
        var expected = ExpectedDiagnostics(source);
        Assert.That(expected.Select(e => e.Id), Is.EquivalentTo(Pipeline.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id)),
            "the sample breaks every rule once");

        var (diagnostics, generated) = Build(source);
        var miou = diagnostics.Where(d => d.Id.StartsWith("MIOU0", StringComparison.Ordinal)).ToList();
        Assert.That(miou.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree)).Select(d => d.ToString()), Is.Empty, "reported in generated code");
        Assert.That(miou.Select(d => d.Location.SourceTree?.FilePath), Has.All.EqualTo(UserFile));
        var actual = miou.Select(d => (d.Id, Line: d.Location.GetLineSpan().StartLinePosition.Line + 1)).OrderBy(d => d.Line).ToList();
        Assert.That(actual, Is.EqualTo(expected), () => "Expected:\n  " + string.Join("\n  ", expected) + "\nActual:\n  " + string.Join("\n  ", miou));

        var others = diagnostics.Except(miou).Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString());
        Assert.That(others, Is.Empty, "the sample breaks Miou's rules only: the compiler has nothing to say (warnings are errors)");
    }

    [Test]
    public void The_fixed_sample_builds_clean()
    {
        var source = Pipeline.Sample("Fixed.cs");
        Assert.That(ExpectedDiagnostics(source), Is.Empty);
        var (diagnostics, _) = Build(source);
        Assert.That(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()), Is.Empty);
    }

    /// <summary>
    /// Generates, analyses and emits <paramref name="source"/> as a consumer's build does. Fails on generator diagnostics,
    /// analyzer exceptions and a generator that produced nothing; returns every other diagnostic and the generated trees.
    /// </summary>
    private static (List<Diagnostic> Diagnostics, HashSet<SyntaxTree> Generated) Build(string source)
    {
        var (output, generated, generatorDiagnostics) = Pipeline.Generate(Pipeline.Compile("Sample", (UserFile, source)));
        Assert.That(generatorDiagnostics.Select(d => d.ToString()), Is.Empty, "generator diagnostics");
        Assert.That(generated.Select(t => t.ToString()), Has.Some.Contains(" PriceAsync("), "the generator wrote the twins");

        var exceptions = new List<Exception>();
        var diagnostics = Pipeline.WithAnalyzers(output, exceptions).GetAllDiagnosticsAsync().GetAwaiter().GetResult().ToList();
        Assert.That(exceptions, Is.Empty, () => "an analyzer threw:\n" + string.Join("\n", exceptions));

        // The async lowering of the twins reports its errors at emit only.
        var emitted = output.Emit(Stream.Null);
        diagnostics.AddRange(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Except(diagnostics));
        return (diagnostics, [.. generated]);
    }

    private static List<(string Id, int Line)> ExpectedDiagnostics(string source) =>
        [.. source.Split('\n').Select((text, index) => (Match: Expect().Match(text), Line: index + 1))
            .Where(l => l.Match.Success)
            .Select(l => (l.Match.Groups[1].Value, l.Line))];

    [GeneratedRegex(@"// expect: (MIOU\d{4})\s*$")]
    private static partial Regex Expect();
}
