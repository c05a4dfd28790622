using Microsoft.CodeAnalysis;
using Miou.Generators.Diagnostics;

namespace Miou.Generators.Tests;

/// <summary>
/// One test per construct the generator rejects: the diagnostic's id, on the user's own line (marked <c>/*here*/</c>),
/// with a message that says what to do instead, and no generated code for the method.
/// </summary>
public class DiagnosticTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("MIOUG001", "not partial", """
            public class C { [Fiber] static void /*here*/M() => Fiber.Yield(); }
            """);
        yield return Case("MIOUG002", "ref parameter", """
            public partial class C { [Fiber] static void M(/*here*/ref int x) => Fiber.Yield(); }
            """);
        yield return Case("MIOUG002", "out parameter", """
            public partial class C { [Fiber] static void M(/*here*/out int x) { x = 1; Fiber.Yield(); } }
            """);
        yield return Case("MIOUG002", "ref return", """
            public partial class C { static int s; [Fiber] static /*here*/ref int M() { Fiber.Yield(); return ref s; } }
            """);
        yield return Case("MIOUG003", "ref struct parameter", """
            public partial class C { [Fiber] static void M(/*here*/Span<int> xs) => Fiber.Yield(); }
            """);
        yield return Case("MIOUG004", "pointer parameter", """
            public unsafe partial class C { [Fiber] static void M(/*here*/int* p) => Fiber.Yield(); }
            """);
        yield return Case("MIOUG005", "iterator", """
            public partial class C { [Fiber] static IEnumerable<int> M() { Fiber.Yield(); /*here*/yield return 1; } }
            """);
        yield return Case("MIOUG006", "async method", """
            public partial class C { [Fiber] static async Fiber /*here*/M() { await Fiber.YieldAsync(); } }
            """);
        yield return Case("MIOUG007", "struct instance method", """
            public partial struct S { [Fiber] void /*here*/M() => Fiber.Yield(); }
            """);
        yield return Case("MIOUG008", "suspension in lock", """
            public partial class C { static readonly object Gate = new(); [Fiber] static void M() { lock (Gate) { /*here*/Fiber.Yield(); } } }
            """);
        yield return Case("MIOUG009", "suspension in exception filter", """
            public partial class C { [Fiber] static bool Check() { Fiber.Yield(); return true; }
              [Fiber] static void M() { try { Fiber.Yield(); } catch (Exception) when (/*here*/Check()) { } } }
            """);
        yield return Case("MIOUG010", "unsafe block", """
            public partial class C { [Fiber] static void M() { Fiber.Yield(); /*here*/unsafe { int x = 1; int* p = &x; } } }
            """);
        yield return Case("MIOUG011", "fixed statement", """
            public unsafe partial class D { }
            public partial class C { static int[] a = [1]; [Fiber] static void M() { Fiber.Yield(); unsafe { /*here*/fixed (int* p = a) { } } } }
            """);
        yield return Case("MIOUG012", "query expression", """
            public partial class C { [Fiber] static int Work(int x) { Fiber.Yield(); return x; }
              [Fiber] static List<int> M() => (from x in new[] { 1, 2 } select /*here*/Work(x)).ToList(); }
            """);
        yield return Case("MIOUG013", "lambda that is not a fiber body", """
            public partial class C { [Fiber] static void M() { Action a = () => /*here*/Fiber.Yield(); a(); } }
            """);
        yield return Case("MIOUG014", "fiber method group as an ordinary delegate", """
            public partial class C { [Fiber] static int Work() { Fiber.Yield(); return 1; }
              [Fiber] static void M() { Func<int> f = /*here*/Work; Fiber.Yield(); } }
            """);
        yield return Case("MIOUG015", "arbitrary delegate as a fiber body", """
            public partial class C { [Fiber] static void M(Func<int> body) { var p = Fiber.Async(/*here*/body); Fiber.Await(p); } }
            """);
        yield return Case("MIOUG016", "name clash with the twin", """
            public partial class C { [Fiber] static void /*here*/M() => Fiber.Yield(); static void MAsync() { } }
            """);
        yield return Case("MIOUG017", "override of a method that is not [Fiber]", """
            public class B { public virtual int M() => 1; }
            public partial class C : B { [Fiber] public override int /*here*/M() { Fiber.Yield(); return 2; } }
            """);
        yield return Case("MIOUG018", "suspension inside a longer ?. chain", """
            public partial class C { public C Next => this; [Fiber] public int Get() { Fiber.Yield(); return 1; }
              [Fiber] static int? M(C? c) => c?/*here*/.Next.Get(); }
            """);
        yield return Case("MIOUG018", "void conditional call that is not a statement (its fiber was not awaited)", """
            public partial class C { [Fiber] public void Go() => Fiber.Yield();
              [Fiber] static void M(C? c) => Fiber.Await(Fiber.Async(() => c?/*here*/.Go())); }
            """);
        yield return Case("MIOUG018", "void conditional call as a for loop's incrementor", """
            public partial class C { [Fiber] public void Go() => Fiber.Yield();
              [Fiber] static void M(C? c) { for (var i = 0; i < 2; c?/*here*/.Go()) i++; } }
            """);
        yield return Case("MIOUG020", "[Fiber] local function outside a [Fiber] method", """
            public partial class C { static void M() { [Fiber] void /*here*/L() { } L(); } }
            """);
        // C17 of tests/Miou.Runtime.DirectStyle.Tests (a foreign awaitable reached through a user's [DirectStyle] method),
        // which used to fail only at run time, is now this build error.
        yield return Case("MIOUG021", "C17: [DirectStyle] counterpart returning a Task", """
            public partial class C { [DirectStyle(nameof(MAsync))] static int /*here*/M() => 0; static Task<int> MAsync() => Task.FromResult(1); }
            """);
    }

    private static TestCaseData Case(string id, string construct, string source) =>
        new TestCaseData(id, "using Miou;\n" + source).SetName($"{id}: {construct}");

    [TestCaseSource(nameof(Cases))]
    public void Rejected_construct_gets_its_diagnostic_on_the_users_line_and_no_code(string id, string source)
    {
        var (driver, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var marker = source.IndexOf("/*here*/", StringComparison.Ordinal);
        Assert.That(marker, Is.GreaterThan(0), "the case marks where the diagnostic goes");

        var diagnostic = diagnostics.SingleOrDefault(d => d.Id == id);
        Assert.That(diagnostic, Is.Not.Null, () => $"expected {id}, got: " + string.Join("; ", diagnostics));
        Assert.That(diagnostic!.Location.GetLineSpan().Path, Is.EqualTo(GeneratorHarness.UserFile));
        Assert.That(diagnostic.Location.SourceSpan.Start, Is.EqualTo(marker + "/*here*/".Length), diagnostic.ToString());
        var advice = new[] { " instead", "Rename ", "Mark ", "Write ", "Move ", "Declare ", "Make ", "Pass ", "Store ", "Remove ", "Use ", "Build ", "Catch " };
        Assert.That(advice.Any(diagnostic.GetMessage().Contains), Is.True, "the message says what to do instead: " + diagnostic.GetMessage());
        Assert.That(diagnostic.Descriptor.HelpLinkUri, Does.EndWith($"docs/diagnostics/{id}.md"));

        var generated = GeneratorHarness.RunResult(driver).GeneratedSources;
        Assert.That(generated.Where(s => s.SourceText.ToString().Contains(" MAsync(")), Is.Empty, "no code for a rejected method");
    }

    [Test]
    public void A_DirectStyle_counterpart_that_is_a_Miou_awaitable_or_never_awaited_is_accepted()
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile("""
            using Miou;
            public partial class C
            {
                [DirectStyle(nameof(AAsync))] public static int A() => 0;
                public static async Fiber<int> AAsync() { await Fiber.YieldAsync(); return 1; }
                [DirectStyle(nameof(BAsync))] public static void B() { }
                public static async Fiber BAsync() => await Fiber.YieldAsync();
                [DirectStyle(nameof(CAsync))] public static void C2() { }
                public static OpAwaitable CAsync() => Fiber.YieldAsync();
                [DirectStyle(nameof(DNow), Suspends = false)] public static int D() => 0;
                public static int DNow() => 4;
            }
            """));
        Assert.That(diagnostics, Is.Empty);
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning), Is.Empty);
    }

    [Test]
    public void Every_descriptor_has_a_test_case_and_a_docs_page()
    {
        var tested = Cases().Select(c => (string)c.Arguments[0]!).ToHashSet();
        var untestable = new[] { "MIOUG019", "MIOUG099" }; // covered by EntryTests and by the never-throws test
        var docs = Path.Combine(GeneratorHarness.SourceDirectory(), "..", "..", "docs", "diagnostics");
        foreach (var descriptor in Descriptors.All)
        {
            Assert.That(tested.Contains(descriptor.Id) || untestable.Contains(descriptor.Id), Is.True, descriptor.Id + " has no test case");
            Assert.That(File.Exists(Path.Combine(docs, descriptor.Id + ".md")), Is.True, descriptor.Id + " has no docs page");
        }
    }

    [Test]
    public void Fiber_Run_of_a_method_it_cannot_reach_is_a_warning_at_the_call()
    {
        var source = """
            using Miou;
            public partial class Outer<T>
            {
                [Fiber] private static int Work() { Fiber.Yield(); return 1; }
                public static int Start() => Fiber./*here*/Run(Work);
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var diagnostic = diagnostics.Single(d => d.Id == "MIOUG019");
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        Assert.That(diagnostic.GetMessage(), Does.Contain("Outer.WorkAsync"));
    }

    [Test]
    public void Fiber_Run_of_a_method_without_a_twin_is_left_to_the_runtime()
    {
        var source = """
            using Miou;
            public partial class C
            {
                [Fiber] static void M(ref int x) => Fiber.Yield();
                [Fiber] static void Bad(Span<int> xs) => Fiber.Yield();
                static void Main() { Fiber.Run(Rejected); }
                [Fiber] static void Rejected() { lock (new object()) { Fiber.Yield(); } }
            }
            """;
        var (driver, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        Assert.That(GeneratorHarness.RunResult(driver).GeneratedSources.Select(s => s.HintName), Does.Not.Contain("Miou.FiberRunInterceptors.g.cs"));
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "no error in generated code");
    }

    [TestCase("public partial class C { [Fiber] static void M() { Fiber.Yield( } }")]
    [TestCase("public partial class C { [Fiber] static int M() => Missing.Call(Fiber.Await(); }")]
    [TestCase("public partial class C { [Fiber] static void M(")]
    [TestCase("public partial class C { [Fiber] void M() { var p = Fiber.Async(() => ); Fiber.Await(p) } }")]
    [TestCase("[Fiber] public partial class C { }")]
    [TestCase("public partial class C { [Fiber] static T M<T>() where T : => Fiber.Await<T>(default!); }")]
    [TestCase("public partial class C { [Fiber] static int M() { Fiber.Yield(); return 1;")]
    [TestCase("public partial class C { [Fiber] static int M(C? c) { return c?.; } [Fiber] int N() => 1; }")]
    [TestCase("public partial class C { [Fiber] static void M() { int L( { Fiber.Yield(); } L(); } }")]
    [TestCase("public partial class C { [Fiber] static void M() { } ) ] [Fiber] static void N() { Fiber.Yield(); } }")]
    [TestCase("public partial class C { [Fiber] static void M() { #if X\n Fiber.Yield(); } }")]
    public void Half_typed_code_never_makes_the_generator_throw(string fragment)
    {
        var (driver, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile("using Miou;\n" + fragment));
        var result = GeneratorHarness.RunResult(driver);
        Assert.That(result.Exception, Is.Null);
        Assert.That(diagnostics.Where(d => d.Id == "MIOUG099"), Is.Empty);
    }
}
