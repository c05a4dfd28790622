namespace Miou.Generators.Tests;

/// <summary>The generated code compiles without a warning and behaves as the direct-style source says.</summary>
public class RunTests
{
    [Test]
    public void Statements_around_suspensions_keep_their_CSharp_meaning()
    {
        var assembly = GeneratorHarness.GenerateAndLoad(Sources.Statements + """

            public static partial class Entry
            {
                public static int Sum() => Fiber.Run(() => Samples.Statements.SumAsync([1, 2, 3, 4]));
                public static string Control() => Fiber.Run(() => Samples.Statements.ControlAsync(2));
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "Samples.Entry", "Sum"), Is.EqualTo(10));
        Assert.That(GeneratorHarness.Invoke(assembly, "Samples.Entry", "Control"),
            Is.EqualTo("step 0 -> 0,step 1 -> 2,disposed,boom,finally,pattern,small 0 102 20"));
    }

    [Test]
    public void Virtual_interface_generic_and_extension_twins_dispatch_like_the_originals()
    {
        var assembly = GeneratorHarness.GenerateAndLoad(Sources.Members + """

            public static partial class Entry
            {
                public static string All() => Fiber.Run(Samples.Members.Use.All);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "Samples.Members.Entry", "All"), Is.EqualTo("9 square, shape of area 4 8 HI"));
    }

    [Test]
    public void Fiber_Run_of_a_method_group_is_routed_to_the_twin()
    {
        var assembly = GeneratorHarness.GenerateAndLoad(Sources.Entry);
        Assert.That(GeneratorHarness.Invoke(assembly, "Samples.Entry.Program", "Main"), Is.EqualTo(42 + 43));
    }

    [Test]
    public void Fiber_Run_with_one_or_two_arguments_and_options_is_routed_to_the_twin()
    {
        // Without the interceptors each call would run the plain method outside a fiber and throw NotInFiberException.
        var assembly = GeneratorHarness.GenerateAndLoad(Sources.EntryWithArguments);
        Assert.That(GeneratorHarness.Invoke(assembly, "Samples.Arguments.Program", "Main"), Is.EqualTo("one two three 44 n=7,m=8 #t 4"));
    }

    [Test]
    public void Without_the_generator_the_direct_style_method_throws_NotInFiberException()
    {
        // The control for the test above: what the interceptor prevents.
        Assert.Throws<NotInFiberException>(() => Fiber.Run(NotGenerated));
    }

    private static int NotGenerated() => Fiber.Await(Fiber.Async(() => 1));

    [Test]
    public void Captured_locals_are_shared_with_children_as_in_ordinary_CSharp()
    {
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public static partial class P
            {
                [Fiber]
                public static int Main()
                {
                    var counter = 0;
                    var children = new List<Promise>();
                    for (var i = 0; i < 5; i++)
                    {
                        children.Add(Fiber.Async(() => { Fiber.Yield(); counter += 1; }));
                    }

                    foreach (var child in children) Fiber.Await(child);
                    var lazy = FiberLazy<int>.FromFunc(() => { Fiber.Yield(); return counter * 10; });
                    var mutex = new FiberMutex();
                    var guarded = mutex.Protect(() => { Fiber.Yield(); return lazy.Force(); });
                    return guarded + counter;
                }

                public static int Run() => Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "P", "Run"), Is.EqualTo(55));
    }

    [Test]
    public void Conditional_access_on_a_fiber_call_evaluates_the_receiver_once_and_skips_null()
    {
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public partial class C
            {
                public static int Reads;
                [Fiber] public int Get() { Fiber.Yield(); return 7; }
                [Fiber] public void Touch() { Fiber.Yield(); Reads += 100; }
                static C? Source(bool some) { Reads++; return some ? new C() : null; }

                [Fiber]
                public static string Main()
                {
                    var a = Source(true)?.Get();
                    var b = Source(false)?.Get();
                    Source(true)?.Touch();
                    Source(false)?.Touch();
                    return $"{a} {b?.ToString() ?? "null"} {Reads}";
                }

                public static string Run() => Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "C", "Run"), Is.EqualTo("7 null 104"));
    }

    [Test]
    public void Fiber_body_lambdas_with_an_explicit_return_type_are_made_async()
    {
        // `int () => Work()` became `async int () => await WorkAsync()`: CS1983, an async lambda must return an awaitable.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public static partial class C
            {
                static int Count;
                [Fiber] static int Work() { Fiber.Yield(); return 20; }

                [Fiber]
                public static int M()
                {
                    var a = Fiber.Async(int () => Work() + 1);
                    var b = Fiber.Async(static void () => { Fiber.Yield(); Count++; });
                    Fiber.Await(b);
                    return Fiber.Await(a) + Count;
                }

                public static int Run() => Fiber.Run(M);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "C", "Run"), Is.EqualTo(22));
    }

    [Test]
    public void Conditional_fiber_call_as_the_then_branch_of_an_if_keeps_its_else()
    {
        // `if (b) c?.Go(); else …` was rewritten to `if (b) if (c is { } t) await t.GoAsync(); else …`: the else bound
        // to the generated if, so it ran when c was null and not when b was false.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public partial class C
            {
                [Fiber] public void Go() => Fiber.Yield();

                [Fiber]
                public static string M(C? c, bool b)
                {
                    var r = "then";
                    if (b) c?.Go(); else r = "else";
                    return r;
                }

                public static string Run() => Fiber.Run(() => MAsync(null, true)) + " " + Fiber.Run(() => MAsync(new C(), false));
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "C", "Run"), Is.EqualTo("then else"));
    }

    [Test]
    public void Calls_resolved_from_declarations_without_binding_keep_their_meaning()
    {
        // The analysis resolves Type.N(…) and N(…) by lookup when every method of the name agrees; these are the cases
        // where lookup alone could be wrong (shadowing, inheritance, mixed overloads) or must see through using static/alias.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            using static Miou.Fiber;
            using F = Miou.Fiber;

            public class Helper { public int Yields; public void Yield() => Yields++; }

            public partial class Base
            {
                [Fiber] public static int Inherited() { F.Yield(); return 1; }
            }

            public partial class Derived : Base
            {
                [Fiber] public static int Over(int x) { Yield(); return x; }
                public static int Over(string s) => s.Length;

                [Fiber]
                public static int Main()
                {
                    var Fiber = new Helper();             // shadows the type: Fiber.Yield() is the helper's
                    Fiber.Yield();
                    Fiber.Yield();
                    var child = Async(() => Derived.Inherited() + Over(10) + Over("abc"));
                    return Await(child) * 100 + Fiber.Yields;
                }

                public static int Run() => Miou.Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "Derived", "Run"), Is.EqualTo(1402));
    }

    [Test]
    public void Fiber_Run_nested_in_a_fiber_method_starts_the_twin()
    {
        // Interceptors cannot reach generated code, so the rewrite names the twin: Fiber.Run(InnerAsync, …).
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public partial class N
            {
                [Fiber] static int Inner() { Fiber.Yield(); return 1; }
                [Fiber] static int Add(int a, int b) { Fiber.Yield(); return a + b; }

                [Fiber]
                public static int Outer(int x)
                {
                    [Fiber] int Local() { Fiber.Yield(); return 100; }
                    Fiber.Yield();
                    return Fiber.Run(Inner) + Fiber.Run(Add, x, 10, new RunOptions { Seed = 1 }) + Fiber.Run(Local);
                }

                public static int Run() => Fiber.Run(Outer, 5);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "N", "Run"), Is.EqualTo(116));
    }

    [Test]
    public void A_fiber_method_with_preprocessor_directives_in_its_body_is_rewritten_on_the_users_tree()
    {
        // Directives depend on the rest of the file, so such a method is not reparsed from its text alone.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public static partial class D
            {
                [Fiber]
                public static int Main()
                {
                    var total = 1;
            #if !MIOU_NOT_DEFINED
                    Fiber.Yield();
                    total += 10;
            #else
                    total += 100;
            #endif
            #region tail
                    Fiber.Yield();
            #endregion
                    return total;
                }

                public static int Run() => Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "D", "Run"), Is.EqualTo(11));
    }

    [Test]
    public void The_users_defines_select_the_same_branches_in_the_twin()
    {
        // A generated file does not see the user's #define lines: the twin gets the active ones that precede the method.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            #define FAST
            #define SLOW
            #undef SLOW
            #if NEVER_DEFINED
            #define INACTIVE
            #endif
            using Miou;
            public static partial class D
            {
                [Fiber]
                public static int Main()
                {
                    var total = 0;
            #if FAST
                    Fiber.Yield();
                    total += 1;
            #endif
            #if SLOW || INACTIVE
                    total += 100;
            #endif
                    return total;
                }

                public static int Run() => Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "D", "Run"), Is.EqualTo(1));
    }

    [Test]
    public void Awaited_receivers_conditional_calls_static_lambdas_and_local_functions_keep_their_meaning()
    {
        // The rewrite edits the text: these are the places where edits nest or meet (an awaited call as a receiver needs
        // parentheses, async goes after static, a conditional call is rebuilt from its rewritten parts).
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            public partial class Node
            {
                public int Value;
                [Fiber] public Node Next() { Fiber.Yield(); return new Node { Value = Value + 1 }; }
                [Fiber] public int Get() { Fiber.Yield(); return Value; }
                [Fiber] public void Bump(int by) { Fiber.Yield(); Value += by; }
            }

            public static partial class E
            {
                [Fiber]
                public static string Main()
                {
                    var n = new Node();
                    var a = n.Next().Next().Get();
                    Node? maybe = n;
                    Node? none = null;
                    var b = maybe?.Get() ?? -1;
                    var c = none?.Get() ?? -1;
                    maybe?.Bump(n.Next().Get() * 100);
                    none?.Bump(1);
                    var p = Fiber.Async(static () => { Fiber.Yield(); return 5; });
                    static int Local(int x) { Fiber.Yield(); return x * 2; }
                    return $"{a} {b} {c} {n.Value} {Fiber.Await(p)} {Local(3)}";
                }

                public static string Run() => Fiber.Run(Main);
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "E", "Run"), Is.EqualTo("2 0 -1 100 5 6"));
    }

    [Test]
    public void An_extension_fiber_call_in_reduced_form_reaches_the_twin_even_when_the_receiver_has_a_member_of_its_name()
    {
        // G1: c.Bump() was emitted as c.BumpAsync(), which binds to Counter's own BumpAsync (instance members win over
        // extensions). Extension calls to twins are now written in static form, receiver first, ?. and chains kept.
        var assembly = GeneratorHarness.GenerateAndLoad("""
            using Miou;
            namespace Ns
            {
                public sealed class Counter
                {
                    public List<string> Log { get; } = [];
                    public async Fiber BumpAsync() { await Fiber.YieldAsync(); Log.Add("instance BumpAsync"); }
                    public async Fiber<int> TakeAsync<T>(T value) { await Fiber.YieldAsync(); Log.Add("instance TakeAsync"); return 0; }
                    public Counter Self(string what) { Log.Add(what); return this; }
                }

                public static partial class CounterExtensions
                {
                    [Fiber]
                    public static void Bump(this Counter c) { Fiber.Yield(); c.Log.Add("[Fiber] Bump"); }

                    [Fiber]
                    public static int Take<T>(this Counter c, T value) { Fiber.Yield(); c.Log.Add("[Fiber] Take " + value); return 1; }
                }
            }

            namespace App
            {
                using Ns;
                public static partial class Program
                {
                    [Fiber]
                    private static string Main2(Counter c)
                    {
                        c.Bump();
                        CounterExtensions.Bump(c);
                        var n = c.Self("receiver").Take<string>(c.Self("argument").Log.Count.ToString());
                        Counter? maybe = c, none = null;
                        maybe?.Bump();
                        none?.Bump();
                        var m = maybe?.Take(7) ?? -1;
                        var k = none?.Take(8) ?? -1;
                        var t = c
                            .Take(
                                9);
                        return string.Join(" | ", c.Log) + $" {n} {m} {k} {t}";
                    }

                    public static string Run() => Fiber.Run(Main2, new Counter());
                }
            }
            """);
        Assert.That(GeneratorHarness.Invoke(assembly, "App.Program", "Run"), Is.EqualTo(
            "[Fiber] Bump | [Fiber] Bump | receiver | argument | [Fiber] Take 4 | [Fiber] Bump | [Fiber] Take 7 | [Fiber] Take 9 1 1 -1 1"));
    }

    private const string LambdaBodies = """
        using Miou;
        public static partial class L
        {
            public static List<string> Log = [];
            [Fiber] static int Work(int x) { Fiber.Yield(); Log.Add("work " + x); return x; }
            [Fiber] static void Touch(int x) { Fiber.Yield(); Log.Add("touch " + x); }
            static int Boom(string where) { Log.Add("boom " + where); throw new InvalidOperationException(where); }

            [Fiber]
            public static string Main()
            {
                var a = Fiber.Async(() => Work(1));                       // as is
                var b = Fiber.Async(() => { return Work(2); });           // as is
                var c = Fiber.Async(() => { Touch(3); });                 // as is, with return
                var d = Fiber.Async<object>(() => Work(4));               // int -> object: async
                var e = Fiber.Async(() => Work(Work(5)));                 // suspends in an argument: async
                var sum = Fiber.Await(a) + Fiber.Await(b) + (int)Fiber.Await(d) + Fiber.Await(e);
                Fiber.Await(c);
                // An exception while evaluating the arguments fails the child alike in both forms.
                var plain = Fiber.Async(() => Work(Boom("plain")));                      // as is: the delegate throws
                var wrapped = Fiber.Async(() => { var v = Work(Boom("wrapped")); return v; }); // async: its fiber fails
                var r1 = Fiber.AwaitResult(plain);
                var r2 = Fiber.AwaitResult(wrapped);
                Log.Add(Describe(r1) + " / " + Describe(r2));
                return sum + ": " + string.Join(", ", Log.Order(StringComparer.Ordinal)); // children interleave in any order
            }

            static string Describe<T>(Result<T> r) => r.IsOk ? "ok" : r.Error!.GetType().Name + " " + r.Error.Message;

            public static string Run() => Fiber.Run(Main);
        }
        """;

    [Test]
    public void A_fiber_body_lambda_that_is_one_fiber_call_of_its_own_type_returns_the_twins_fiber_as_is()
    {
        // G4: () => Work(a) becomes () => WorkAsync(a), not async () => await WorkAsync(a) (one state machine less).
        var (driver, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile(LambdaBodies));
        var main = GeneratorHarness.TwinsOf(driver);
        Assert.That(main, Does.Contain("Fiber.SpawnAsync(() => WorkAsync(1))"));
        Assert.That(main, Does.Contain("Fiber.SpawnAsync(() => { return WorkAsync(2); })"));
        Assert.That(main, Does.Contain("Fiber.SpawnAsync(() => { return TouchAsync(3); })"));
        Assert.That(main, Does.Contain("Fiber.SpawnAsync<object>(async () => await WorkAsync(4))"));
        Assert.That(main, Does.Contain("Fiber.SpawnAsync(async () => await WorkAsync(await WorkAsync(5)))"));
        Assert.That(main, Does.Contain("Fiber.SpawnAsync(() => WorkAsync(Boom(\"plain\")))"));

        var expected = "12: InvalidOperationException plain / InvalidOperationException wrapped, boom plain, boom wrapped, " +
            "touch 3, work 1, work 2, work 4, work 5, work 5";
        Assert.That(GeneratorHarness.Invoke(GeneratorHarness.GenerateAndLoad(LambdaBodies), "L", "Run"), Is.EqualTo(expected));

        // The same program with every lambda in the async form (a local first) behaves the same.
        var wrapped = LambdaBodies
            .Replace("() => Work(1)", "() => { var v = Work(1); return v; }")
            .Replace("() => { return Work(2); }", "() => { var v = Work(2); return v; }")
            .Replace("() => { Touch(3); }", "() => { Touch(3); ; }")
            .Replace("() => Work(Boom(\"plain\"))", "() => { var v = Work(Boom(\"plain\")); return v; }");
        Assert.That(GeneratorHarness.Invoke(GeneratorHarness.GenerateAndLoad(wrapped), "L", "Run"), Is.EqualTo(expected));
    }

    [Test]
    public void A_DirectStyle_method_group_whose_counterpart_returns_a_fiber_is_a_fiber_body()
    {
        // G2: Fiber.Call(Domain.Self) becomes Fiber.CallAsync(Domain.SelfAsync) instead of MIOUG015.
        const string source = """
            using Miou;
            public static partial class G
            {
                [DirectStyle(nameof(FortyAsync))] public static int Forty() => throw new NotInFiberException(nameof(Forty));
                public static async Fiber<int> FortyAsync() { await Fiber.YieldAsync(); return 40; }

                [Fiber]
                public static int Main()
                {
                    var self = Fiber.Await(Fiber.Call(Domain.Self));
                    var p = Fiber.Async(Forty);
                    return Fiber.Await(p) + (self.Uid >= 0 ? 2 : 0); // Call may run on another domain
                }

                public static int Run() => Fiber.Run(Main);
            }
            """;
        var (driver, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var main = GeneratorHarness.TwinsOf(driver);
        Assert.That(main, Does.Contain("Fiber.CallAsync(Domain.SelfAsync)").And.Contain("Fiber.SpawnAsync(FortyAsync)"));
        Assert.That(GeneratorHarness.Invoke(GeneratorHarness.GenerateAndLoad(source), "G", "Run"), Is.EqualTo(42));

        // A counterpart that is not a fiber (Fiber.YieldAsync returns an OpAwaitable) still needs a lambda.
        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile("""
            using Miou;
            public partial class H { [Fiber] static void M() { var p = Fiber.Async(Fiber.Yield); Fiber.Await(p); } }
            """));
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "MIOUG015" }));
    }
}
