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

    /// <summary>Runs <paramref name="analyzer"/> and returns its diagnostics; fails the test if it threw.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, DiagnosticAnalyzer analyzer)
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (exception, _, _) => exceptions.Add(exception), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = compilation.WithAnalyzers([analyzer], options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.That(exceptions, Is.Empty, () => "The analyzer threw:\n" + string.Join("\n", exceptions));
        return diagnostics;
    }
}
