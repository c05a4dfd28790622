using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0002: an await or cancel of a promise that is certainly not the current task's child.</summary>
public sealed class NotAChildTests
{
    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Parent's child awaited in a child's body", """
            [Fiber] int M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => Fiber.Await({|MIOU0002:a|}) + 1); Fiber.Await(a); return Fiber.Await(b); }
            """);
        yield return Case("Parent's child cancelled in a child's body", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => Fiber.Cancel({|MIOU0002:a|})); Fiber.Await(a); Fiber.Await(b); }
            """);
        yield return Case("AwaitResult of a sibling", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => Fiber.AwaitResult({|MIOU0002:a|})); Fiber.AwaitAll(a); Fiber.Await(b); }
            """);
        yield return Case("AwaitAll of siblings", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => 2); var c = Fiber.Async(() => Fiber.AwaitAll({|MIOU0002:a|}, {|MIOU0002:b|})); Fiber.AwaitAll(a, b); Fiber.Await(c); }
            """);
        yield return Case("AwaitFirst of a sibling", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => Fiber.AwaitFirst({|MIOU0002:a|})); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("AwaitOne of a sibling", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => Fiber.AwaitOne({|MIOU0002:a|})); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Awaited two tasks down", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => { var d = Fiber.Async(() => Fiber.Await({|MIOU0002:a|})); Fiber.Await(d); }); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Spawned on another domain, awaited in a child", """
            [Fiber] void M() { var a = Fiber.Call(() => 1); var c = Fiber.Async(() => Fiber.Await({|MIOU0002:a|})); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Child's body on another domain awaits the parent's child", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Call(() => Fiber.Await({|MIOU0002:a|})); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Orphan of the parent awaited in a child", """
            [Fiber] void M(Orphans<int> o) { var a = Fiber.Async(() => 1, orphans: o); var c = Fiber.Async(() => Fiber.Await({|MIOU0002:a|})); Fiber.Await(c); }
            """);
        yield return Case("Assigned later, still by the parent", """
            [Fiber] void M() { Promise<int>? a = null; a = Fiber.Async(() => 1); var c = Fiber.Async(() => Fiber.Await({|MIOU0002:a|}!)); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Inside a Protect body of a child", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => Fiber.Protect(() => Fiber.Await({|MIOU0002:a|}))); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Declared in a child body, awaited by a grandchild", """
            [Fiber] void M() { var c = Fiber.Async(() => { var a = Fiber.Async(() => 1); var g = Fiber.Async(() => Fiber.Await({|MIOU0002:a|})); Fiber.Await(a); return Fiber.Await(g); }); Fiber.Await(c); }
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("Own child", """
            [Fiber] int M() { var a = Fiber.Async(() => 1); return Fiber.Await(a); }
            """);
        yield return Case("Child's own child", """
            [Fiber] void M() { var c = Fiber.Async(() => { var a = Fiber.Async(() => 1); return Fiber.Await(a); }); Fiber.Await(c); }
            """);
        yield return Case("Parameter: a [Fiber] method runs inline and may be given its caller's child", """
            [Fiber] int Finish(Promise<int> p) => Fiber.Await(p);
            [Fiber] int M() { var a = Fiber.Async(() => 1); return Finish(a); }
            """);
        yield return Case("Parameter captured by a child's body: not certain either", """
            [Fiber] void M(Promise<int> p) { var c = Fiber.Async(() => Fiber.Await(p)); Fiber.Await(c); }
            """);
        yield return Case("Protect body runs in the same task", """
            [Fiber] int M() { var a = Fiber.Async(() => 1); return Fiber.Protect(() => Fiber.Await(a)); }
            """);
        yield return Case("Captured local written by the child itself", """
            [Fiber] void M() { Promise<int>? a = null; var c = Fiber.Async(() => { a = Fiber.Async(() => 1); return Fiber.Await(a); }); Fiber.Await(c); }
            """);
        yield return Case("Local that may hold something else", """
            [Fiber] void M(Promise<int> given) { var a = Fiber.Async(() => 1); Fiber.Cancel(a); a = given; var c = Fiber.Async(() => Fiber.Await(a)); Fiber.Await(c); }
            """);
        yield return Case("Taken from an orphans collection", """
            [Fiber] void M(Orphans<int> o) { var a = o.Take(); var c = Fiber.Async(() => a is null ? 0 : Fiber.Await(a)); Fiber.Await(c); }
            """);
        yield return Case("Field", """
            Promise<int>? _a;
            [Fiber] void M() { _a = Fiber.Async(() => 1); var c = Fiber.Async(() => Fiber.Await(_a!)); Fiber.Await(_a); Fiber.Await(c); }
            """);
        yield return Case("Foreach variable", """
            [Fiber] void M(List<Promise<int>> ps) { foreach (var p in ps) { var c = Fiber.Async(() => Fiber.Await(p)); Fiber.Await(c); } }
            """);
        yield return Case("Plain lambda in between: it may run anywhere", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); Func<int> f = () => Fiber.Await(a); var c = Fiber.Async(f); Fiber.Await(a); Fiber.Await(c); }
            """);
        yield return Case("Local function in between", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => Get()); Fiber.Await(a); Fiber.Await(c); int Get() => Fiber.Await(a); }
            """);
        yield return Case("Written through out", """
            static void Make(out Promise<int> p) => p = null!;
            [Fiber] void M() { var a = Fiber.Async(() => 1); Fiber.Cancel(a); Make(out a); var c = Fiber.Async(() => Fiber.Await(a)); Fiber.Await(c); }
            """);
        yield return Case("Reading a sibling's state is fine", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var c = Fiber.Async(() => a.State == PromiseState.Running); Fiber.Await(a); Fiber.Await(c); }
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<NotAChildAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<NotAChildAnalyzer>.Diagnostics(source);
}
