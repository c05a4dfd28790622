using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Miou.Generators.Tests;

/// <summary>
/// Issue 4's generator benchmark: a project of 1,000 [Fiber] methods, full generation and incremental edits. Explicit:
/// it prints timings and asserts only that the generator did its work (speed is not a test verdict). Each figure is
/// the median of several runs (the development machine is shared); every run is printed too.
/// Run: dotnet test tests/Miou.Generators.Tests --filter "FullyQualifiedName~GeneratorCost" --logger "console;verbosity=detailed"
/// </summary>
[Explicit("benchmark: prints timings")]
public class GeneratorCost
{
    private const int Methods = 1000;
    private const int Runs = 5;
    private const int WarmUpRounds = 20;

    internal static string File(int index)
    {
        var text = new StringBuilder("using Miou;\nnamespace Bench;\npublic static partial class F" + index + "\n{\n");
        for (var i = 0; i < 10; i++)
        {
            var n = index * 10 + i;
            text.Append($$"""
                    [Fiber]
                    public static int M{{n}}(int x)
                    {
                        var p = Fiber.Async(() => x + /*edit*/{{n}});
                        Fiber.Yield();
                        try { return Fiber.Await(p); } finally { Fiber.Yield(); }
                    }

                """);
        }

        return text.Append("    public static int Plain() => /*plain*/0;\n}\n").ToString();
    }

    /// <summary>
    /// The least any ForAttributeWithMetadataName generator pays on this project: a transform that returns the method's
    /// name. On each compilation change the driver finds every [Fiber] method's symbol and binds its attributes again.
    /// </summary>
    private sealed class Floor : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName("Miou.FiberAttribute", static (_, _) => true, static (c, _) => c.TargetSymbol.Name);
            context.RegisterSourceOutput(names.Collect(), static (production, all) => production.AddSource("Floor.g.cs", "// " + all.Length));
        }
    }

    /// <summary>
    /// The least a generator that writes one file per [Fiber] method pays: the floor plus, per method, an output that
    /// the driver keeps from run to run and adds to the output compilation (a twin-sized text per method).
    /// </summary>
    private sealed class FloorPerMethod : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName("Miou.FiberAttribute", static (_, _) => true, static (c, _) => c.TargetSymbol.Name);
            context.RegisterSourceOutput(names, static (production, name) =>
                production.AddSource(name + ".g.cs", "// " + name + new string(' ', 600) + "\ninternal static class " + name + "_Generated { }\n"));
        }
    }

    /// <summary>
    /// The least a generator that writes one file per source file pays: the floor plus an output per file holding
    /// [Fiber] methods (100 here), each the size of its methods' twins.
    /// </summary>
    private sealed class FloorPerFile : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName("Miou.FiberAttribute", static (_, _) => true, static (c, _) => (c.TargetNode.SyntaxTree.FilePath, c.TargetSymbol.Name));
            var files = names.Collect().SelectMany(static (all, _) => all.GroupBy(n => n.FilePath).Select(g => (g.Key, string.Join(",", g.Select(n => n.Name)))));
            context.RegisterSourceOutput(files, static (production, file) =>
                production.AddSource(System.IO.Path.GetFileNameWithoutExtension(file.Key) + ".g.cs", "// " + file.Item2 + new string(' ', 6000) + "\ninternal static class " + System.IO.Path.GetFileNameWithoutExtension(file.Key) + "_Generated { }\n"));
        }
    }

    private static (string Path, string Text)[] Project() => Enumerable.Range(0, Methods / 10).Select(i => ($"/src/F{i}.cs", File(i))).ToArray();

    private static Compilation Edit(Compilation compilation, string marker, string replacement)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/F7.cs");
        var text = tree.GetText().ToString();
        Assert.That(text, Does.Contain(marker));
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(marker, replacement), Encoding.UTF8)));
    }

    private static int CountTwins(string text)
    {
        var count = 0;
        for (var at = text.IndexOf(" async global::Miou.Fiber<int> M", StringComparison.Ordinal); at >= 0; at = text.IndexOf(" async global::Miou.Fiber<int> M", at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);

    private static string List(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F1")));

    /// <summary>How each tracked step's outputs were produced, e.g. "FiberMethods: 999 Unchanged, 1 Modified".</summary>
    private static string Reasons(GeneratorDriver driver, params string[] steps)
    {
        var tracked = GeneratorHarness.RunResult(driver).TrackedSteps;
        return string.Join("; ", steps.Where(tracked.ContainsKey).Select(step => step + ": " + string.Join(", ",
            tracked[step].SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}"))));
    }

    /// <summary>
    /// Untimed: the IDE runs the generator in a long-lived process, where the JIT has long since optimised the hot code
    /// (the generator's and Roslyn's). Without this the first timed runs mostly measure tiered compilation.
    /// </summary>
    private static void WarmUp((string Path, string Text)[] files)
    {
        Compilation compilation = GeneratorHarness.Compile(files);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new FiberGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
        for (var round = 0; round < WarmUpRounds; round++)
        {
            compilation = Edit(compilation, $"/*plain*/0{new string('1', round)}", $"/*plain*/0{new string('1', round + 1)}");
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
            compilation = Edit(compilation, $"/*edit*/79{new string('1', round)}", $"/*edit*/79{new string('1', round + 1)}");
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
            if (round % 5 == 0)
            {
                _ = CSharpGeneratorDriver.Create([new FiberGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions)
                    .RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(files), out _, out _);
            }
        }
    }

    /// <summary>A floor generator, measured as the FiberGenerator is: full generation, then edits outside every method.</summary>
    private static (List<double> Full, List<double> Edit) MeasureFloor((string Path, string Text)[] files, Func<IIncrementalGenerator> create)
    {
        var full = new List<double>();
        var edit = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            Compilation compilation = GeneratorHarness.Compile(files);
            GeneratorDriver floor = CSharpGeneratorDriver.Create([create().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions);
            var watch = Stopwatch.StartNew();
            floor = floor.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
            full.Add(watch.Elapsed.TotalMilliseconds);
            compilation = Edit(compilation, "/*plain*/0", "/*plain*/1");
            watch.Restart();
            floor.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
            edit.Add(watch.Elapsed.TotalMilliseconds);
        }

        return (full, edit);
    }

    [Test]
    public void Full_generation_and_incremental_edits_of_1000_fiber_methods()
    {
        var files = Project();
        WarmUp(files);

        var bind = Stopwatch.StartNew();
        _ = GeneratorHarness.Compile(files).GetDiagnostics();
        TestContext.Out.WriteLine($"for scale, the compiler's own binding of the same project: {bind.Elapsed.TotalMilliseconds:F0} ms");

        // Timed: the driver as the compiler and the IDE run it, without step tracking (which records every step's inputs
        // and outputs). A tracked driver runs the same edits alongside, untimed, to show how each output was produced.
        // Each full generation gets a fresh compilation: nothing bound yet, as when a project is opened.
        var full = new List<double>();
        GeneratorDriver driver = null!;
        Compilation compilation = null!;
        for (var run = 0; run < Runs; run++)
        {
            compilation = GeneratorHarness.Compile(files);
            driver = CSharpGeneratorDriver.Create([new FiberGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions);
            var watch = Stopwatch.StartNew();
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
            full.Add(watch.Elapsed.TotalMilliseconds);
        }

        var twins = GeneratorHarness.RunResult(driver).GeneratedSources.Sum(s => CountTwins(s.SourceText.ToString()));
        Assert.That(twins, Is.EqualTo(Methods), "one twin per method, whatever the files they are written to");
        var (tracked, _, _) = GeneratorHarness.Run(compilation);

        // Edits alternate inside one body and outside every [Fiber] method, each a real change of the previous text.
        var inside = new List<double>();
        var outside = new List<double>();
        var steps = new[] { FiberGenerator.Steps.FiberMethods, "Twins" };
        for (var run = 0; run < Runs; run++)
        {
            var body = run == 0 ? "/*edit*/70" : $"/*edit*/70 + {run}"; // M70 only: "/*edit*/71" is M71's
            foreach (var (marker, replacement, times) in new[] { (body, $"/*edit*/70 + {run + 1}", inside), ($"/*plain*/{run}", $"/*plain*/{run + 1}", outside) })
            {
                compilation = Edit(compilation, marker, replacement);
                var watch = Stopwatch.StartNew();
                driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
                times.Add(watch.Elapsed.TotalMilliseconds);
                (tracked, _, _) = GeneratorHarness.Run(compilation, tracked);
                TestContext.Out.WriteLine($"edit {replacement}: {times[^1]:F1} ms; {Reasons(tracked, steps)}");
            }
        }

        // The floor, measured the same way on the same project, for scale.
        var (floorFull, floorEdit) = MeasureFloor(files, () => new Floor());
        var (perMethodFull, perMethodEdit) = MeasureFloor(files, () => new FloorPerMethod());
        var (perFileFull, perFileEdit) = MeasureFloor(files, () => new FloorPerFile());

        TestContext.Out.WriteLine($"runs (ms): full {List(full)}; inside {List(inside)}; outside {List(outside)}; floor full {List(floorFull)}; floor edit {List(floorEdit)}; " +
            $"floor with a file per method: full {List(perMethodFull)}, edit {List(perMethodEdit)}; floor with a file per source file: full {List(perFileFull)}, edit {List(perFileEdit)}");
        TestContext.Out.WriteLine($"for scale, a ForAttributeWithMetadataName generator that does nothing (median): full {Median(floorFull):F0} ms, edit {Median(floorEdit):F1} ms");
        TestContext.Out.WriteLine($"for scale, the same writing a constant file per method (median): full {Median(perMethodFull):F0} ms, edit {Median(perMethodEdit):F1} ms");
        TestContext.Out.WriteLine($"for scale, the same writing a constant file per source file (median): full {Median(perFileFull):F0} ms, edit {Median(perFileEdit):F1} ms");
        TestContext.Out.WriteLine($"{Methods} [Fiber] methods (median of {Runs}): full {Median(full):F0} ms, edit inside one body {Median(inside):F1} ms, edit outside {Median(outside):F1} ms");
    }
}
