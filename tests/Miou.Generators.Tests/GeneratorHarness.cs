using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace Miou.Generators.Tests;

/// <summary>Runs the generator on source text through <see cref="CSharpGeneratorDriver"/>, the way the compiler does.</summary>
internal static class GeneratorHarness
{
    public const string UserFile = "/src/User.cs";

    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Preview)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "Miou.Generated")]);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. trusted.Select(p => MetadataReference.CreateFromFile(p)), MetadataReference.CreateFromFile(typeof(Miou.Fiber).Assembly.Location)];
    });

    private static readonly string s_globalUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\n";

    public static CSharpCompilation Compile(params (string Path, string Text)[] files) =>
        CSharpCompilation.Create(
            "UserAssembly",
            [CSharpSyntaxTree.ParseText(s_globalUsings, ParseOptions, "/src/GlobalUsings.cs", System.Text.Encoding.UTF8), .. files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path, System.Text.Encoding.UTF8))],
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpCompilation Compile(string source) => Compile((UserFile, source));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new FiberGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the driver (for incremental runs), the output compilation and the generator's diagnostics.</summary>
    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(Compilation input, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        return (driver, output, diagnostics);
    }

    public static GeneratorRunResult RunResult(GeneratorDriver driver) => driver.GetRunResult().Results.Single();

    /// <summary>The generated file that holds the twins of the [Fiber] methods whose bodies are in the user's file <paramref name="path"/>.</summary>
    public static string TwinsOf(GeneratorDriver driver, string path = UserFile) =>
        RunResult(driver).GeneratedSources.Single(s => s.HintName == Path.GetFileNameWithoutExtension(path) + ".g.cs").SourceText.ToString();

    /// <summary>Generates, checks the whole compilation has no error or warning, and loads it with its symbols.</summary>
    public static Assembly GenerateAndLoad(string source) => GenerateAndLoad((UserFile, source));

    /// <summary>Generates for several user files, checks the whole compilation has no error or warning, and loads it.</summary>
    public static Assembly GenerateAndLoad(params (string Path, string Text)[] files)
    {
        var (_, output, diagnostics) = Run(Compile(files));
        Assert.That(diagnostics, Is.Empty, "generator diagnostics");
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.That(problems, Is.Empty, () => string.Join("\n", problems) + "\n" + string.Join("\n---\n", output.SyntaxTrees.Skip(1 + files.Length).Select(t => t.ToString())));
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emitted = output.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        Assert.That(emitted.Success, Is.True, () => string.Join("\n", emitted.Diagnostics));
        return Assembly.Load(pe.ToArray(), pdb.ToArray());
    }

    /// <summary>Calls a static method of a generated assembly, unwrapping reflection's wrapper exception.</summary>
    public static object? Invoke(Assembly assembly, string type, string method, params object?[] args)
    {
        try
        {
            return assembly.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>This test project's folder in the repository (snapshots live under it).</summary>
    public static string SourceDirectory() => Miou.Tests.Shared.RepositoryPaths.Combine("tests", "Miou.Generators.Tests");
}
