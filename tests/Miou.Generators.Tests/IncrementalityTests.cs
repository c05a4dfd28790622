using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Miou.Generators.Tests;

/// <summary>An edit outside [Fiber] methods reruns nothing that matters: every tracked step is cached or unchanged.</summary>
public class IncrementalityTests
{
    private const string Fibers = """
        using Miou;
        public partial class Fibers
        {
            [Fiber] public static int Work(int x) { Fiber.Yield(); return x * 2; }
            [Fiber] public static int Main() { var p = Fiber.Async(() => Work(1)); return Fiber.Await(p) + /*edit*/0; }
            public static int Start() => Fiber.Run(Main);
        }
        """;

    private const string Other = """
        public class Other
        {
            public static int Plain() => /*edit*/0;
        }
        """;

    private static readonly string[] s_steps = [FiberGenerator.Steps.FiberMethods, FiberGenerator.Steps.RunCalls, FiberGenerator.Steps.Interceptors];

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(("/src/Fibers.cs", Fibers), ("/src/Other.cs", Other));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        return (driver, compilation);
    }

    private static Compilation Edit(Compilation compilation, string path, string replacement)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var text = tree.GetText().ToString().Replace("/*edit*/0", replacement);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text, System.Text.Encoding.UTF8)));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step) =>
        GeneratorHarness.RunResult(driver).TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    [TestCase("/src/Other.cs", "1 + 2")]
    [TestCase("/src/Other.cs", "new System.Random().Next()")]
    public void An_edit_outside_fiber_methods_leaves_every_step_cached(string path, string replacement)
    {
        var (driver, compilation) = FirstRun();
        var (again, _, _) = GeneratorHarness.Run(Edit(compilation, path, replacement), driver);
        foreach (var step in s_steps)
        {
            var reasons = Reasons(again, step).ToList();
            Assert.That(reasons, Is.Not.Empty, step);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }

        var outputs = GeneratorHarness.RunResult(again).TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.That(outputs, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void An_edit_inside_a_fiber_method_regenerates_that_method_only()
    {
        var (driver, compilation) = FirstRun();
        var (again, _, _) = GeneratorHarness.Run(Edit(compilation, "/src/Fibers.cs", "1"), driver);
        var reasons = Reasons(again, FiberGenerator.Steps.FiberMethods).ToList();
        Assert.That(reasons.Count(r => r == IncrementalStepRunReason.Modified), Is.EqualTo(1));
        Assert.That(reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), Is.EqualTo(1));
    }

    [Test]
    public void Pipeline_values_are_equatable_models_not_symbols_or_syntax()
    {
        var (driver, _) = FirstRun();
        foreach (var step in GeneratorHarness.RunResult(driver).TrackedSteps.Where(s => s_steps.Contains(s.Key)).SelectMany(s => s.Value))
        {
            foreach (var (value, _) in step.Outputs)
            {
                Assert.That(value, Is.Not.InstanceOf<ISymbol>().And.Not.InstanceOf<SyntaxNode>().And.Not.InstanceOf<Compilation>());
            }
        }
    }
}
