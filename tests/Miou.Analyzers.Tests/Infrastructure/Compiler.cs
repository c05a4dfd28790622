using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>Compiles test snippets against the real Miou.Runtime and runs analyzers on them.</summary>
internal static class Compiler
{
    /// <summary>Usings every snippet gets, in a tree of their own so the snippet's spans are its own.</summary>
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Miou;
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        string[] wanted =
        [
            "System.Runtime", "System.Private.CoreLib", "netstandard", "System.Collections", "System.Linq", "System.Threading",
            "System.Threading.Thread", "System.Console", "System.IO", "System.Threading.Tasks", "System.Runtime.InteropServices",
        ];
        var references = platform
            .Where(path => wanted.Contains(Path.GetFileNameWithoutExtension(path)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(Miou.FiberAttribute).Assembly.Location));
        return [.. references];
    });

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public static CSharpCompilationOptions Options { get; } = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    public static CSharpCompilation Compile(string source) => CSharpCompilation.Create(
        "Snippet",
        [CSharpSyntaxTree.ParseText(GlobalUsings, ParseOptions, "Usings.cs"), CSharpSyntaxTree.ParseText(source, ParseOptions, "Test.cs")],
        References,
        Options);

    /// <summary>Fails the test if the snippet does not compile: a test of invalid code proves nothing.</summary>
    public static void AssertCompiles(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Empty, () => "The test source does not compile:\n" + string.Join("\n", errors));
    }

    /// <summary>
    /// Runs <paramref name="analyzer"/> and returns its diagnostics; fails the test if it threw. Every test is also a
    /// differential test of the flow rules' proof on the operation tree (<c>StructuredFlow</c>): the analyzer runs again
    /// with the proof off (every method that spawns or owns analysed on its control-flow graph), and must report the
    /// same diagnostics, at the same places, with the same messages.
    /// </summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, DiagnosticAnalyzer analyzer)
    {
        var diagnostics = Analyze(compilation, analyzer, structuredFlow: true);
        var onGraphs = Analyze(compilation, analyzer, structuredFlow: false);
        Assert.That(Describe(diagnostics), Is.EqualTo(Describe(onGraphs)), "the proof on the operation tree changed what the analyzer reports");
        return diagnostics;
    }

    /// <summary>Runs <paramref name="analyzer"/> with the flow rules' proof on the operation tree on or off; fails the test if it threw.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, DiagnosticAnalyzer analyzer, bool structuredFlow)
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            FlowOptions(structuredFlow), (exception, _, _) => exceptions.Add(exception), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = compilation.WithAnalyzers([analyzer], options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.That(exceptions, Is.Empty, () => "The analyzer threw:\n" + string.Join("\n", exceptions));
        return diagnostics;
    }

    /// <summary>Analyzer options with the proof on (the default: no option set) or off (<c>miou_analyzers.structured_flow = false</c>).</summary>
    public static AnalyzerOptions FlowOptions(bool structuredFlow) =>
        structuredFlow ? new AnalyzerOptions([]) : new AnalyzerOptions([], new GlobalOptionsProvider("miou_analyzers.structured_flow", "false"));

    /// <summary>Diagnostics as comparable text: id, span, message, properties.</summary>
    public static string[] Describe(IEnumerable<Diagnostic> diagnostics) =>
    [
        .. diagnostics.Select(d => $"{d.Id} {d.Location.SourceSpan} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} " +
            string.Join(",", d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>One global analyzer option (what a <c>.globalconfig</c> gives), no per-file options.</summary>
    private sealed class GlobalOptionsProvider(string key, string value) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global = new(ImmutableDictionary<string, string>.Empty.Add(key, value));

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
