using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Miou.Analyzers.Tests.Infrastructure;
using Miou.Tests.Shared;

namespace Miou.Analyzers.Tests;

/// <summary>
/// The flow rules' proof on the operation tree (<see cref="StructuredFlow"/>): a [Fiber] method it proves settled is
/// never built into a control-flow graph by MIOU0001 and MIOU0006. Every analyzer test runs with the proof on and off
/// and compares (<see cref="Compiler.Analyze(Compilation, Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer)"/>);
/// these tests say where the proof applies, where it gives up, and compare the two paths on random method bodies.
/// </summary>
public sealed class StructuredFlowTests
{
    /// <summary>Each [Fiber] method of <paramref name="source"/> with where each rule's proof gives up (null: proved).</summary>
    private static List<(string Method, IOperation? Spawns, IOperation? Owns)> Proofs(Compilation compilation)
    {
        var symbols = MiouSymbols.Create(compilation)!;
        var results = new List<(string, IOperation?, IOperation?)>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (method.AttributeLists.Count > 0 && model.GetOperation(method) is IMethodBodyOperation body)
                {
                    results.Add((method.Identifier.ValueText, ChildNotAwaitedAnalyzer.ProofBlocker(body, symbols), ResourceLeakedAnalyzer.ProofBlocker(body, symbols)));
                }
            }
        }

        return results;
    }

    private static string Describe(IOperation? blocker) => blocker is null ? "proved" : $"{blocker.Kind} '{blocker.Syntax}'";

    /// <summary>Both flow rules, with the proof on and off: the same diagnostics (Compiler.Analyze compares).</summary>
    private static string[] BothRules(Compilation compilation) =>
        Compiler.Describe([.. Compiler.Analyze(compilation, new ChildNotAwaitedAnalyzer()), .. Compiler.Analyze(compilation, new ResourceLeakedAnalyzer())]);

    [Test]
    public void The_benchmark_methods_are_proved_without_a_graph()
    {
        var template = File.ReadAllText(RepositoryPaths.Combine("benchmarks", "analyzers", "method.template"));
        var text = new StringBuilder("public static partial class Bench\n{\n");
        for (var i = 0; i < 10; i++)
        {
            text.Append(template.Replace("@N@", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        var compilation = Compiler.Compile(text.Append("}\n").ToString());
        Compiler.AssertCompiles(compilation);
        var proofs = Proofs(compilation);
        Assert.That(proofs, Has.Count.EqualTo(10));
        Assert.That(proofs.Select(p => $"{p.Method}: {Describe(p.Spawns)}, {Describe(p.Owns)}"), Has.All.EndsWith("proved, proved"));
        Assert.That(BothRules(compilation), Is.Empty);
    }

    /// <summary>The end-to-end samples (a program that breaks every rule, and the same program fixed), generated as a build does: the same either way.</summary>
    [TestCase("Violations.cs")]
    [TestCase("Fixed.cs")]
    public void The_end_to_end_samples_report_the_same_with_and_without_the_proof(string sample)
    {
        var (output, _, _) = Pipeline.Generate(Pipeline.Compile("Sample", ("/src/Shop.cs", Pipeline.Sample(sample))));
        var reported = BothRules(output);
        Assert.That(reported, sample == "Fixed.cs" ? Is.Empty : Is.Not.Empty);
    }

    /// <summary>Constructs the proof does not model: it gives up, the graph decides (and reports the same either way).</summary>
    [TestCase("while (c) { Fiber.Await(p); c = false; }", "Loop")]
    [TestCase("for (var i = 0; i < 2; i++) { } Fiber.Await(p);", "Loop")]
    [TestCase("goto end; end: Fiber.Await(p);", "Labeled")]
    [TestCase("using (var d = new System.IO.MemoryStream()) { Fiber.Await(p); }", "Using")]
    [TestCase("switch (c) { case true: Fiber.Await(p); break; default: Fiber.Cancel(p); break; }", "Switch")]
    [TestCase("var q = p; Fiber.Await(q);", "MethodBody")]
    [TestCase("if (p != null) { Fiber.Await(p); }", "LocalReference")]
    [TestCase("Fiber.Await(c ? p : p);", "Conditional")]
    [TestCase("if (c && c) { } Fiber.Await(p);", "Binary")]
    [TestCase("Fiber.Await(p); p = Fiber.Async(() => 2); Fiber.Await(p);", "Invocation")]
    [TestCase("var outer = Fiber.Async(() => { var inner = Fiber.Async(() => 3); Fiber.Await(inner); }); Fiber.Await(outer); Fiber.Await(p);", "MethodBody")]
    [TestCase("Fiber.Await(p); Fiber.Async(() => 4);", "Invocation")]
    [TestCase("Fiber.Await(p); _ = Fiber.Async(() => 5);", "Invocation")]
    [TestCase("try { Fiber.Await(p); } catch (Exception) when (c) { }", "CatchClause")]
    [TestCase("if (c) { return; } Fiber.Await(p);", "Return")]
    [TestCase("", "MethodBody")]
    public void The_proof_gives_up_on_what_it_does_not_model(string statements, string blockerKind)
    {
        var compilation = Compiler.Compile($$"""
            public partial class C
            {
                [Fiber] void M(bool c)
                {
                    var p = Fiber.Async(() => 1);
                    {{statements}}
                }
            }
            """);
        Compiler.AssertCompiles(compilation);
        var (_, spawns, _) = Proofs(compilation).Single();
        var kind = spawns is null ? "proved" : spawns.Kind.ToString().Replace("Operation", "", StringComparison.Ordinal);
        Assert.That(kind, Is.EqualTo(blockerKind), () => Describe(spawns));
        BothRules(compilation);
    }

    /// <summary>A [Fiber] method that spawns <c>p</c> and owns <c>r</c>, then runs <paramref name="statements"/>; compiled.</summary>
    private static Compilation WithChildAndResource(string statements)
    {
        var compilation = Compiler.Compile($$"""
            public partial class C
            {
                [Fiber] void M(bool c)
                {
                    var p = Fiber.Async(() => 1);
                    var r = Ownership.Create(1, _ => { });
                    Ownership.Own(r);
                    {{statements}}
                }
            }
            """);
        Compiler.AssertCompiles(compilation);
        return compilation;
    }

    /// <summary>Structured code the proof does model, settled on every path: proved, and the graph agrees.</summary>
    [TestCase("Fiber.Await(p); Ownership.Release(r);")]
    [TestCase("if (c) { Fiber.Cancel(p); Ownership.Disown(r); return; } Fiber.Await(p); Ownership.Release(r);")]
    [TestCase("try { Fiber.Yield(); } finally { Fiber.Await(p); Ownership.Release(r); }")]
    [TestCase("try { Fiber.Await(p); } catch (InvalidOperationException) { Fiber.Cancel(p); throw; } finally { Ownership.Release(r); }")]
    [TestCase("Console.WriteLine(p.Id); Ownership.Check(r); Fiber.Await(p); Ownership.Transfer(r);")]
    [TestCase("Fiber.Await(p); if (c) { Ownership.Release(r); } else { Ownership.Disown(r); }")]
    [TestCase("Fiber.Await(p); Ownership.Release(r); throw new InvalidOperationException();")]
    [TestCase("try { Fiber.Await(p); Ownership.Release(r); } finally { Console.WriteLine(1); }")]
    public void Settled_structured_code_is_proved(string statements)
    {
        var compilation = WithChildAndResource(statements);
        var (_, spawns, owns) = Proofs(compilation).Single();
        Assert.That((Describe(spawns), Describe(owns)), Is.EqualTo(("proved", "proved")));
        Assert.That(BothRules(compilation), Is.Empty);
    }

    /// <summary>
    /// Structured code with a path that may forget: the proof fails, the graph decides (the same as without the proof).
    /// A catch starts, for the proof, with what is pending anywhere in its try; for the graph, with what is pending all
    /// through it (an exception after the await leaves nothing to await): the proof gives up where the graph is silent.
    /// </summary>
    [TestCase("if (c) { return; } Fiber.Await(p); Ownership.Release(r);", 2)]
    [TestCase("try { Fiber.Await(p); } catch (InvalidOperationException) { } Ownership.Release(r);", 0)]
    [TestCase("Fiber.Await(p); if (c) { Ownership.Release(r); }", 1)]
    public void Unsettled_structured_code_is_left_to_the_graph(string statements, int reported)
    {
        var compilation = WithChildAndResource(statements);
        var (_, spawns, owns) = Proofs(compilation).Single();
        Assert.That(spawns is null && owns is null, Is.False, "no proof of code that may forget");
        Assert.That(BothRules(compilation), Has.Length.EqualTo(reported));
    }

    /// <summary>
    /// Random [Fiber] method bodies of spawns, owned resources, settling and neutral uses, ifs, returns, throws and
    /// try/catch/finally (and now and then what the proof gives up on: a loop, a copy, an overwrite, a null test): both
    /// rules with the proof on and off report the same (Compiler.Analyze compares), and the proof applies to many.
    /// </summary>
    [Test]
    public void Random_bodies_report_the_same_with_and_without_the_proof([Range(0, 7)] int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("public partial class C\n{\n    static void Use(object o) { }\n");
        for (var method = 0; method < 40; method++)
        {
            text.Append(CultureInfo.InvariantCulture, $"    [Fiber] void M{method}(bool c, bool d)\n    {{\n");
            new RandomBody(random, text).Block(depth: 0, inCatch: false);
            text.Append("    }\n");
        }

        var compilation = Compiler.Compile(text.Append("}\n").ToString());
        Compiler.AssertCompiles(compilation);
        BothRules(compilation);
        var proofs = Proofs(compilation);
        var proved = proofs.Count(p => p.Spawns is null) + proofs.Count(p => p.Owns is null);
        TestContext.Out.WriteLine($"seed {seed}: {proved} of {2 * proofs.Count} proofs made");
        Assert.That(proved, Is.GreaterThan(proofs.Count / 4), "the random bodies exercise the proof");
    }

    /// <summary>A random statement list; variables are declared before use and in scope.</summary>
    private sealed class RandomBody(Random random, StringBuilder text)
    {
        private readonly List<string> _promises = [];
        private readonly List<string> _resources = [];
        private int _names;

        public void Block(int depth, bool inCatch)
        {
            var (promises, resources) = (_promises.Count, _resources.Count);
            var count = random.Next(1, depth == 0 ? 7 : 4);
            for (var i = 0; i < count; i++)
            {
                Statement(depth, inCatch);
            }

            // Leaving the block: its variables go out of scope.
            _promises.RemoveRange(promises, _promises.Count - promises);
            _resources.RemoveRange(resources, _resources.Count - resources);
        }

        private string Any(List<string> names) => names[random.Next(names.Count)];

        private void Line(string line) => text.Append("        ").Append(line).Append('\n');

        private void Statement(int depth, bool inCatch)
        {
            var choice = random.Next(depth >= 3 ? 12 : 17);
            switch (choice)
            {
                case 0 or 1:
                    var p = "p" + _names++;
                    Line($"var {p} = Fiber.Async(() => {_names});");
                    _promises.Add(p);
                    break;
                case 2 or 3:
                    var r = "r" + _names++;
                    Line($"var {r} = Ownership.Create({_names}, _ => {{ }});");
                    Line($"Ownership.Own({r});");
                    _resources.Add(r);
                    break;
                case 4 or 5 when _promises.Count > 0:
                    Line(random.Next(3) switch { 0 => $"Fiber.Await({Any(_promises)});", 1 => $"Fiber.Cancel({Any(_promises)});", _ => $"Use({Any(_promises)});" });
                    break;
                case 6 or 7 when _resources.Count > 0:
                    Line(random.Next(3) switch { 0 => $"Ownership.Release({Any(_resources)});", 1 => $"Ownership.Disown({Any(_resources)});", _ => $"Ownership.Check({Any(_resources)});" });
                    break;
                case 8 when _promises.Count > 0:
                    Line($"Console.WriteLine({Any(_promises)}.Id);");
                    break;
                case 9:
                    Line(random.Next(4) switch { 0 => "return;", 1 => "throw new InvalidOperationException();", 2 when inCatch => "throw;", _ => "Fiber.Yield();" });
                    break;
                case 10 when _promises.Count > 0 && random.Next(4) == 0:
                    // What the proof gives up on.
                    Line(random.Next(5) switch
                    {
                        0 => $"var q{_names++} = {Any(_promises)};",
                        1 => $"{Any(_promises)} = Fiber.Async(() => 0);",
                        2 => $"if ({Any(_promises)} != null) {{ Fiber.Await({Any(_promises)}); }}",
                        3 => $"while (d) {{ Fiber.Yield(); d = false; }}",
                        _ => $"Fiber.Async(() => 0);",
                    });
                    break;
                case 11:
                    Line("Console.WriteLine(c);");
                    break;
                case 12 or 13:
                    Line(random.Next(2) == 0 ? "if (c)" : "if (d)");
                    Nested(depth, inCatch);
                    if (random.Next(2) == 0)
                    {
                        Line("else");
                        Nested(depth, inCatch);
                    }

                    break;
                case 14 or 15 or 16:
                    Line("try");
                    Nested(depth, inCatch);
                    var catches = random.Next(3);
                    for (var i = 0; i < catches; i++)
                    {
                        Line(i == 0 ? "catch (InvalidOperationException)" : $"catch (Exception e{_names++})");
                        Nested(depth, inCatch: true);
                    }

                    if (catches == 0 || random.Next(2) == 0)
                    {
                        Line("finally");
                        Nested(depth, inCatch, inFinally: true);
                    }

                    break;
                default:
                    Line("Fiber.Yield();");
                    break;
            }
        }

        private void Nested(int depth, bool inCatch, bool inFinally = false)
        {
            Line("{");
            if (inFinally)
            {
                // No return out of a finally: only settling, neutral uses and declarations.
                var count = random.Next(1, 3);
                for (var i = 0; i < count; i++)
                {
                    if (_promises.Count > 0 && random.Next(2) == 0)
                    {
                        Line($"Fiber.Await({Any(_promises)});");
                    }
                    else if (_resources.Count > 0)
                    {
                        Line($"Ownership.Release({Any(_resources)});");
                    }
                    else
                    {
                        Line("Console.WriteLine(d);");
                    }
                }
            }
            else
            {
                Block(depth + 1, inCatch);
            }

            Line("}");
        }
    }
}
