using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Miou.Generators.Tests;

/// <summary>
/// An edit outside [Fiber] methods reruns nothing that matters: the semantic step reports every method unchanged and
/// the analysis and rewrite stay cached. An edit inside one method reruns that method's steps only, and writes again
/// only the generated file of that method's source file.
/// </summary>
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

    private static readonly string[] s_steps = [FiberGenerator.Steps.FiberMethods, FiberGenerator.Steps.Twins, FiberGenerator.Steps.Files, FiberGenerator.Steps.RunCalls, FiberGenerator.Steps.Interceptors];

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

        // The strongest true thing: the per-method analysis and rewrite do not run at all, nor does the grouping by file.
        Assert.That(Reasons(again, FiberGenerator.Steps.Twins), Is.All.EqualTo(IncrementalStepRunReason.Cached));
        Assert.That(Reasons(again, FiberGenerator.Steps.Files), Is.All.EqualTo(IncrementalStepRunReason.Cached));
        Assert.That(Reasons(again, FiberGenerator.Steps.FiberMethods), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));

        var outputs = GeneratorHarness.RunResult(again).TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.That(outputs, Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void An_edit_outside_fiber_methods_in_their_own_file_leaves_the_rewrite_cached()
    {
        // After both methods, same length: their text and positions are unchanged.
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Fibers.cs");
        var text = tree.GetText().ToString().Replace("Fiber.Run(Main);", "Fiber.Run(Main); ");
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text, System.Text.Encoding.UTF8)));
        var (again, _, _) = GeneratorHarness.Run(edited, driver);
        Assert.That(Reasons(again, FiberGenerator.Steps.FiberMethods), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(Reasons(again, FiberGenerator.Steps.Twins), Is.All.EqualTo(IncrementalStepRunReason.Cached));
        Assert.That(Reasons(again, FiberGenerator.Steps.Files), Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void An_edit_inside_a_fiber_method_regenerates_that_method_only()
    {
        var (driver, compilation) = FirstRun();
        var (again, _, _) = GeneratorHarness.Run(Edit(compilation, "/src/Fibers.cs", "1"), driver);
        foreach (var step in new[] { FiberGenerator.Steps.FiberMethods, FiberGenerator.Steps.Twins })
        {
            var reasons = Reasons(again, step).ToList();
            Assert.That(reasons, Has.Count.EqualTo(2), step);
            Assert.That(reasons.Count(r => r == IncrementalStepRunReason.Modified), Is.EqualTo(1), step);
        }

        // The other method: the semantic step reran (it always does) and found nothing new, so its rewrite did not run.
        Assert.That(Reasons(again, FiberGenerator.Steps.FiberMethods), Has.One.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(Reasons(again, FiberGenerator.Steps.Twins), Has.One.EqualTo(IncrementalStepRunReason.Cached));
        Assert.That(Reasons(again, FiberGenerator.Steps.Files), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        Assert.That(GeneratorHarness.TwinsOf(again, "/src/Fibers.cs"), Does.Contain("+ 1;"));
    }

    [Test]
    public void An_edit_inside_a_fiber_method_writes_again_the_generated_file_of_its_source_file_only()
    {
        // One generated file per source file: the other file's twins are neither rebuilt nor written again.
        const string more = """
            using Miou;
            namespace Elsewhere;
            public partial class More
            {
                [Fiber] public static int Twice(int x) { Fiber.Yield(); return x * 2; }
                [Fiber] public static int Thrice(int x) { Fiber.Yield(); return x * 3; }
            }
            """;
        var compilation = GeneratorHarness.Compile(("/src/Fibers.cs", Fibers), ("/src/More.cs", more), ("/src/Other.cs", Other));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        var moreBefore = GeneratorHarness.TwinsOf(driver, "/src/More.cs");
        Assert.That(moreBefore, Does.Contain("TwiceAsync(int x)").And.Contain("ThriceAsync(int x)"));
        Assert.That(GeneratorHarness.RunResult(driver).GeneratedSources.Select(s => s.HintName),
            Is.EquivalentTo(new[] { "Fibers.g.cs", "More.g.cs", "Miou.FiberRunInterceptors.g.cs" }));

        var (again, output, _) = GeneratorHarness.Run(Edit(compilation, "/src/Fibers.cs", "1"), driver);
        Assert.That(Reasons(again, FiberGenerator.Steps.Twins).Count(r => r != IncrementalStepRunReason.Cached), Is.EqualTo(1));
        Assert.That(Reasons(again, FiberGenerator.Steps.Files), Is.EqualTo(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged }));

        // The output step ran for Fibers.cs's file only; More.cs's is the previous run's.
        var outputs = GeneratorHarness.RunResult(again).TrackedOutputSteps.SelectMany(s => s.Value)
            .Where(s => s.Inputs.Any(i => i.Source.Name == FiberGenerator.Steps.Files)).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(outputs, Is.EquivalentTo(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }));
        Assert.That(GeneratorHarness.TwinsOf(again, "/src/Fibers.cs"), Does.Contain("+ 1;"));
        Assert.That(GeneratorHarness.TwinsOf(again, "/src/More.cs"), Is.EqualTo(moreBefore));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void An_edit_in_another_file_that_changes_what_a_call_denotes_regenerates_the_caller()
    {
        // The rewrite is cached on the facts the semantic step collects, so those facts must follow other files: here
        // Util.Compute becomes a [Fiber] method, and Caller must now await its twin.
        const string caller = """
            using Miou;
            public partial class Caller
            {
                [Fiber] public static int Main() { Fiber.Yield(); return Util.Compute(); }
            }
            """;
        const string util = """
            using Miou;
            public partial class Util
            {
                /*attribute*/ public static int Compute() => 42;
            }
            """;
        var compilation = GeneratorHarness.Compile(("/src/Caller.cs", caller), ("/src/Util.cs", util));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        Assert.That(MainTwin(driver), Does.Contain("return Util.Compute();"));

        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Util.cs");
        var text = tree.GetText().ToString().Replace("/*attribute*/", "[Fiber]");
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text, System.Text.Encoding.UTF8)));
        var (again, output, diagnostics) = GeneratorHarness.Run(edited, driver);
        Assert.That(MainTwin(again), Does.Contain("return await Util.ComputeAsync();"));
        Assert.That(diagnostics, Is.Empty);
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);

        static string MainTwin(GeneratorDriver driver) => GeneratorHarness.TwinsOf(driver, "/src/Caller.cs");
    }

    [TestCase(nameof(Sources.Statements))]
    [TestCase(nameof(Sources.Members))]
    [TestCase(nameof(Sources.Entry))]
    public void The_rewrite_of_the_reparsed_text_equals_the_rewrite_of_the_users_tree(string name)
    {
        // The cached step holds no syntax: it reparses the method's text. That must give what the user's tree gives.
        var source = (string)typeof(Sources).GetField(name)!.GetValue(null)!;
        var compilation = GeneratorHarness.Compile(source);
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        var run = GeneratorHarness.RunResult(driver);
        var inputs = run.TrackedSteps[FiberGenerator.Steps.FiberMethods].SelectMany(s => s.Outputs).Select(o => (Model.FiberMethodInput)o.Value).ToList();
        var results = run.TrackedSteps[FiberGenerator.Steps.Twins].SelectMany(s => s.Outputs).Select(o => (Model.FiberMethodResult)o.Value).ToList();
        Assert.That(inputs, Has.Count.EqualTo(results.Count));
        var compared = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Method is not { } method)
            {
                continue;
            }

            var tree = compilation.SyntaxTrees.Single(t => t.FilePath == method.Position.FilePath);
            var users = (MethodDeclarationSyntax)tree.GetRoot().FindNode(new Microsoft.CodeAnalysis.Text.TextSpan(method.Position.Start, method.Text.Length));
            Assert.That(Parsing.TwinBuilder.Build(users, method, CancellationToken.None), Is.EqualTo(results[i]));
            compared++;
        }

        Assert.That(compared, Is.GreaterThan(2));
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
