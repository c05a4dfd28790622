using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>
/// The compiler's pipeline as a consumer's build runs it, in process: Miou's generator and analyzers loaded from their
/// assemblies as analyzer references (found by their attributes, in a load context of their own), the generator run by
/// <see cref="CSharpGeneratorDriver"/>, then every analyzer over the user's code and the generated code together.
/// </summary>
internal static class Pipeline
{
    /// <summary>What a consumer's project file sets: C# as the SDK compiles it, and the props' interceptors namespace.</summary>
    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Preview)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "Miou.Generated")]);

    private static readonly Lazy<(ImmutableArray<ISourceGenerator> Generators, ImmutableArray<DiagnosticAnalyzer> Analyzers)> LazyComponents = new(() =>
    {
        var loader = new Loader();
        AnalyzerFileReference Reference(string name) => new(Path.Combine(AppContext.BaseDirectory, name + ".dll"), loader);
        var generators = Reference("Miou.Generators");
        var analyzers = Reference("Miou.Analyzers");
        return ([.. generators.GetGenerators(LanguageNames.CSharp), .. analyzers.GetGenerators(LanguageNames.CSharp)],
            [.. generators.GetAnalyzers(LanguageNames.CSharp), .. analyzers.GetAnalyzers(LanguageNames.CSharp)]);
    });

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. platform.Select(path => MetadataReference.CreateFromFile(path)), MetadataReference.CreateFromFile(typeof(Miou.Fiber).Assembly.Location)];
    });

    public static ImmutableArray<ISourceGenerator> Generators => LazyComponents.Value.Generators;

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers => LazyComponents.Value.Analyzers;

    /// <summary>The analyzers of another build of Miou.Analyzers (a baseline to compare against), in a load context of their own.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AnalyzersFrom(string path) =>
        new AnalyzerFileReference(Path.GetFullPath(path), new Loader()).GetAnalyzers(LanguageNames.CSharp);

    /// <summary>A project of <paramref name="files"/> (path, text), with the SDK's implicit usings.</summary>
    public static CSharpCompilation Compile(string assemblyName, params (string Path, string Text)[] files)
    {
        const string implicitUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.IO;\nglobal using System.Linq;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n";
        return CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(implicitUsings, ParseOptions, "/obj/GlobalUsings.g.cs", System.Text.Encoding.UTF8),
             .. files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path, System.Text.Encoding.UTF8))],
            LazyReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Runs the generator: the compilation with its output, the generated trees and the generator's diagnostics.</summary>
    public static (Compilation Output, ImmutableArray<SyntaxTree> Generated, ImmutableArray<Diagnostic> Diagnostics) Generate(Compilation input)
    {
        CSharpGeneratorDriver.Create(Generators, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        return (output, [.. output.SyntaxTrees.Except(input.SyntaxTrees)], diagnostics);
    }

    /// <summary>
    /// Every analyzer over <paramref name="compilation"/>, concurrently as the compiler runs them unless
    /// <paramref name="concurrent"/> is false; analyzer exceptions collected; execution time logged.
    /// </summary>
    public static CompilationWithAnalyzers WithAnalyzers(Compilation compilation, List<Exception> exceptions, bool concurrent = true) =>
        compilation.WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } }, concurrentAnalysis: concurrent, logAnalyzerExecutionTime: true));

    /// <summary>An embedded sample from EndToEnd/.</summary>
    public static string Sample(string fileName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("EndToEnd." + fileName)
            ?? throw new FileNotFoundException("No embedded sample " + fileName);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads each analyzer assembly from its path into a context of its own; Roslyn itself comes from the host, as in the compiler.</summary>
    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        private readonly AssemblyLoadContext context = new Context();

        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => context.LoadFromAssemblyPath(fullPath);

        private sealed class Context() : AssemblyLoadContext("Miou analyzers")
        {
            protected override Assembly? Load(AssemblyName assemblyName) => null;
        }
    }
}
