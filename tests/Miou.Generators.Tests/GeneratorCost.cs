using System.Diagnostics;
using System.Text;

namespace Miou.Generators.Tests;

/// <summary>
/// Issue 4's generator benchmark: a project of 1,000 [Fiber] methods, full generation and incremental edits. Explicit:
/// it prints timings and asserts only that the generator did its work (speed is not a test verdict).
/// Run: dotnet test tests/Miou.Generators.Tests --filter "FullyQualifiedName~GeneratorCost"
/// </summary>
[Explicit("benchmark: prints timings")]
public class GeneratorCost
{
    private const int Methods = 1000;

    private static string File(int index)
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

    [Test]
    public void Full_generation_and_incremental_edits_of_1000_fiber_methods()
    {
        var files = Enumerable.Range(0, Methods / 10).Select(i => ($"/src/F{i}.cs", File(i))).ToArray();
        var compilation = GeneratorHarness.Compile(files);
        GeneratorHarness.Run(GeneratorHarness.Compile(("/src/Warm.cs", File(999))));  // JIT warm-up

        var bind = Stopwatch.StartNew();
        _ = GeneratorHarness.Compile(files).GetDiagnostics();
        TestContext.Out.WriteLine($"for scale, the compiler's own binding of the same project: {bind.Elapsed.TotalMilliseconds:F0} ms");

        var watch = Stopwatch.StartNew();
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        var full = watch.Elapsed;
        Assert.That(GeneratorHarness.RunResult(driver).GeneratedSources, Has.Length.EqualTo(Methods));

        TimeSpan Edit(string marker, string replacement)
        {
            var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/F7.cs");
            var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
                tree.GetText().ToString().Replace(marker, replacement), Encoding.UTF8)));
            var w = Stopwatch.StartNew();
            var (after, _, _) = GeneratorHarness.Run(edited, driver);
            var elapsed = w.Elapsed;
            var reasons = GeneratorHarness.RunResult(after).TrackedSteps[FiberGenerator.Steps.FiberMethods]
                .SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}");
            TestContext.Out.WriteLine($"edit {replacement}: {elapsed.TotalMilliseconds:F1} ms; {FiberGenerator.Steps.FiberMethods} outputs: {string.Join(", ", reasons)}");
            return elapsed;
        }

        var inside = Edit("/*edit*/70", "/*edit*/71");
        var outside = Edit("/*plain*/0", "/*plain*/1");
        TestContext.Out.WriteLine($"{Methods} [Fiber] methods: full {full.TotalMilliseconds:F0} ms, edit inside one body {inside.TotalMilliseconds:F1} ms, edit outside {outside.TotalMilliseconds:F1} ms");
    }
}
