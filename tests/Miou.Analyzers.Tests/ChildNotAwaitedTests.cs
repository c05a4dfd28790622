using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0001: a child neither awaited nor cancelled on some path before its fiber returns.</summary>
public sealed class ChildNotAwaitedTests
{
    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Discarded spawn", """
            [Fiber] void M() { {|MIOU0001:Fiber.Async|}(() => 1); }
            """);
        yield return Case("Assigned to a discard", """
            [Fiber] void M() { _ = {|MIOU0001:Fiber.Async|}(() => 1); }
            """);
        yield return Case("Local never awaited", """
            [Fiber] int M() { var p = {|MIOU0001:Fiber.Async|}(() => 1); return 2; }
            """);
        yield return Case("Awaited on one branch only", """
            [Fiber] void M(bool c) { var p = {|MIOU0001:Fiber.Async|}(() => 1); if (c) Fiber.Await(p); }
            """);
        yield return Case("Early return before the await", """
            [Fiber] int M(bool c) { var p = {|MIOU0001:Fiber.Async|}(() => 1); if (c) return 0; return Fiber.Await(p); }
            """);
        yield return Case("Local overwritten before the await", """
            [Fiber] int M() { var p = {|MIOU0001:Fiber.Async|}(() => 1); p = Fiber.Async(() => 2); return Fiber.Await(p); }
            """);
        yield return Case("Loop overwrites the local each iteration", """
            [Fiber] void M(int n) { Promise<int>? p = null; for (var i = 0; i < n; i++) { p = {|MIOU0001:Fiber.Async|}(() => i); } if (p is not null) Fiber.Await(p); }
            """);
        yield return Case("Loop breaks out before the await", """
            [Fiber] void M(int n) { for (var i = 0; i < n; i++) { var p = {|MIOU0001:Fiber.Async|}(() => i); if (i == 3) break; Fiber.Await(p); } }
            """);
        yield return Case("Child's promise returned to the parent (C15)", """
            [Fiber] int M() { var outer = Fiber.Async(() => {|MIOU0001:Fiber.Async|}(() => 1)); var inner = Fiber.Await(outer); return 0; }
            """);
        yield return Case("Child's local returned to the parent", """
            [Fiber] void M() { var outer = Fiber.Async(() => { var p = {|MIOU0001:Fiber.Async|}(() => 1); return p; }); Fiber.Await(outer); }
            """);
        yield return Case("Spawned in a fiber body and forgotten", """
            [Fiber] void M() { var p = Fiber.Async(() => { {|MIOU0001:Fiber.Async|}(() => 1); }); Fiber.Await(p); }
            """);
        yield return Case("Void child never awaited", """
            [Fiber] void M() { var p = {|MIOU0001:Fiber.Async|}(() => { }); Fiber.Yield(); }
            """);
        yield return Case("AwaitOne leaves the other child", """
            [Fiber] int M() { var a = {|MIOU0001:Fiber.Async|}(() => 1); var b = {|MIOU0001:Fiber.Async|}(() => 2); return Fiber.AwaitOne(a, b).Value; }
            """);
        yield return Case("Exception caught and the fiber returns", """
            [Fiber] void M() { var p = {|MIOU0001:Fiber.Async|}(() => 1); try { Console.WriteLine(); } catch (InvalidOperationException) { return; } Fiber.Await(p); }
            """);
        yield return Case("Spawned on another domain and forgotten", """
            [Fiber] void M() { var p = {|MIOU0001:Fiber.Call|}(() => 1); }
            """);
        yield return Case("Read but never awaited", """
            [Fiber] void M() { var p = {|MIOU0001:Fiber.Async|}(() => 1); Console.WriteLine(p.Id); }
            """);
        yield return Case("Discarded in a local function of a [Fiber] method", """
            [Fiber] void M() { Local(); void Local() { {|MIOU0001:Fiber.Async|}(() => 1); } }
            """);
        yield return Case("Forgotten in a [Fiber] local function", """
            [Fiber] void M() { Local(); [Fiber] void Local() { var p = {|MIOU0001:Fiber.Async|}(() => 1); Fiber.Yield(); } }
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("Awaited", """
            [Fiber] int M() { var p = Fiber.Async(() => 1); return Fiber.Await(p); }
            """);
        yield return Case("Awaited before the only break out of while (true)", """
            [Fiber] int M(bool c) { var p = Fiber.Async(() => 1); while (true) { if (c) { Fiber.Await(p); break; } Fiber.Yield(); } return 0; }
            """);
        yield return Case("Awaited before the only return out of while (true)", """
            [Fiber] int M(bool c) { var p = Fiber.Async(() => 1); while (true) { if (c) { return Fiber.Await(p); } } }
            """);
        yield return Case("Awaited inline", """
            [Fiber] int M() => Fiber.Await(Fiber.Async(() => 1));
            """);
        yield return Case("Cancelled", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); Fiber.Cancel(p); }
            """);
        yield return Case("Awaited or cancelled on each branch", """
            [Fiber] void M(bool c) { var p = Fiber.Async(() => 1); if (c) Fiber.Await(p); else Fiber.Cancel(p); }
            """);
        yield return Case("Spawned into orphans", """
            [Fiber] void M(Orphans<int> orphans) { Fiber.Async(() => 1, orphans: orphans); }
            """);
        yield return Case("Stored in a list and awaited all", """
            [Fiber] void M(int n) { var ps = new List<Promise<int>>(); for (var i = 0; i < n; i++) ps.Add(Fiber.Async(() => i)); Fiber.AwaitAll(ps); }
            """);
        yield return Case("AwaitAll of both", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => 2); Fiber.AwaitAll(a, b); }
            """);
        yield return Case("AwaitFirst cancels the rest", """
            [Fiber] int M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => 2); return Fiber.AwaitFirst(a, b).Value; }
            """);
        yield return Case("AwaitOne then cancel the loser", """
            [Fiber] void M() { var a = Fiber.Async(() => 1); var b = Fiber.Async(() => 2); Fiber.AwaitOne(a, b); Fiber.Cancel(a); Fiber.Cancel(b); }
            """);
        yield return Case("Stored in a field", """
            Promise<int>? _p;
            [Fiber] void M() { _p = Fiber.Async(() => 1); }
            """);
        yield return Case("Passed to a [Fiber] helper that may await it inline", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); Finish(p); }
            [Fiber] void Finish(Promise<int> p) => Fiber.Await(p);
            """);
        yield return Case("Returned by a [Fiber] method that may run inline in its caller", """
            [Fiber] Promise<int> Start() { var p = Fiber.Async(() => 1); return p; }
            """);
        yield return Case("Loop awaits the previous child before spawning the next", """
            [Fiber] void M(int n) { Promise<int>? p = null; for (var i = 0; i < n; i++) { if (p != null) Fiber.Await(p); p = Fiber.Async(() => i); } if (p != null) Fiber.Await(p); }
            """);
        yield return Case("Null-checked conditional spawn", """
            [Fiber] void M(bool c) { Promise<int>? p = null; if (c) p = Fiber.Async(() => 1); Console.WriteLine(); if (p is not null) Fiber.Await(p); }
            """);
        yield return Case("Thrown away by an exception: a failing fiber may forget its children", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); throw new InvalidOperationException(); }
            """);
        yield return Case("Awaited in a finally", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); try { Console.WriteLine(); } finally { Fiber.Await(p); } }
            """);
        yield return Case("Awaited inside try, caught", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); try { Fiber.Await(p); } catch (InvalidOperationException) { Console.WriteLine(); } }
            """);
        yield return Case("Returned from try with finally", """
            [Fiber] int M(bool c) { var p = Fiber.Async(() => 1); try { if (c) { return Fiber.Await(p); } } finally { Console.WriteLine(); } return Fiber.Await(p); }
            """);
        yield return Case("Conditional expression spawn awaited", """
            [Fiber] int M(bool c) { var p = c ? Fiber.Async(() => 1) : Fiber.Async(() => 2); return Fiber.Await(p); }
            """);
        yield return Case("Alias awaited", """
            [Fiber] int M() { var p = Fiber.Async(() => 1); var q = p; return Fiber.Await(q); }
            """);
        yield return Case("Captured by a lambda: not followed", """
            [Fiber] void M() { var p = Fiber.Async(() => 1); Action a = () => Console.WriteLine(p); a(); }
            """);
        yield return Case("Child body awaits its own child", """
            [Fiber] void M() { var p = Fiber.Async(() => { var q = Fiber.Async(() => 1); return Fiber.Await(q); }); Fiber.Await(p); }
            """);
        yield return Case("Not a fiber: rule MIOU0003's business", """
            void M() { Fiber.Async(() => 1); }
            """);
        yield return Case("Awaited through a while loop", """
            [Fiber] void M(Orphans<int> o) { var p = Fiber.Async(() => 1); while (p.State == PromiseState.Running) Fiber.Yield(); Fiber.Await(p); }
            """);
        yield return Case("Local function returns its child to its caller, which runs it inline and awaits it", """
            [Fiber] int M() { var p = Start(); return Fiber.Await(p); Promise<int> Start() { return Fiber.Async(() => 1); } }
            """);
        yield return Case("[Fiber] local function awaits its own child", """
            [Fiber] int M() { return Local(); [Fiber] int Local() { var p = Fiber.Async(() => 1); return Fiber.Await(p); } }
            """);
        yield return Case("Using the awaited result in a switch", """
            [Fiber] int M(int k) { var p = Fiber.Async(() => k); switch (k) { case 1: return Fiber.Await(p) + 1; default: Fiber.Cancel(p); return 0; } }
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<ChildNotAwaitedAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<ChildNotAwaitedAnalyzer>.Diagnostics(source);

    [Test]
    public void Fix_awaits_a_discarded_spawn() => Verify<ChildNotAwaitedAnalyzer>.Fix<ChildNotAwaitedCodeFix>(
        "public partial class C { [Fiber] void M() { Fiber.Async(() => 1); } }",
        "public partial class C { [Fiber] void M() { Fiber.Await(Fiber.Async(() => 1)); } }",
        ChildNotAwaitedCodeFix.AwaitTitle);

    [Test]
    public void Fix_cancels_a_spawn_assigned_to_a_discard() => Verify<ChildNotAwaitedAnalyzer>.Fix<ChildNotAwaitedCodeFix>(
        "public partial class C { [Fiber] void M() { _ = Fiber.Async(() => 1); } }",
        "public partial class C { [Fiber] void M() { Fiber.Cancel(Fiber.Async(() => 1)); } }",
        ChildNotAwaitedCodeFix.CancelTitle);

    [Test]
    public void Fix_awaits_a_local_before_the_final_return() => Verify<ChildNotAwaitedAnalyzer>.Fix<ChildNotAwaitedCodeFix>(
        """
        public partial class C
        {
            [Fiber] int M()
            {
                var p = Fiber.Async(() => 1);
                Console.WriteLine();
                return 2;
            }
        }
        """,
        """
        public partial class C
        {
            [Fiber] int M()
            {
                var p = Fiber.Async(() => 1);
                Console.WriteLine();
                Fiber.Await(p);
                return 2;
            }
        }
        """,
        ChildNotAwaitedCodeFix.AwaitTitle);

    [Test]
    public void Fix_cancels_a_local_at_the_end_of_its_block() => Verify<ChildNotAwaitedAnalyzer>.Fix<ChildNotAwaitedCodeFix>(
        """
        public partial class C
        {
            [Fiber] void M()
            {
                var p = Fiber.Async(() => 1);
                Fiber.Yield();
            }
        }
        """,
        """
        public partial class C
        {
            [Fiber] void M()
            {
                var p = Fiber.Async(() => 1);
                Fiber.Yield();
                Fiber.Cancel(p);
            }
        }
        """,
        ChildNotAwaitedCodeFix.CancelTitle);

    [Test]
    public void Fix_awaits_a_local_in_a_child_body_before_its_return() => Verify<ChildNotAwaitedAnalyzer>.Fix<ChildNotAwaitedCodeFix>(
        """
        public partial class C
        {
            [Fiber] int M() => Fiber.Await(Fiber.Async(() =>
            {
                var p = Fiber.Async(() => 1);
                return 2;
            }));
        }
        """,
        """
        public partial class C
        {
            [Fiber] int M() => Fiber.Await(Fiber.Async(() =>
            {
                var p = Fiber.Async(() => 1);
                Fiber.Await(p);
                return 2;
            }));
        }
        """,
        ChildNotAwaitedCodeFix.AwaitTitle);

    [Test]
    public void No_fix_for_a_child_awaited_on_some_paths_a_second_await_would_fail() => Verify<ChildNotAwaitedAnalyzer>.NoFix<ChildNotAwaitedCodeFix>(
        "public partial class C { [Fiber] void M(bool c) { var p = Fiber.Async(() => 1); if (c) Fiber.Await(p); } }");

    [Test]
    public void No_fix_for_a_child_left_by_an_early_return() => Verify<ChildNotAwaitedAnalyzer>.NoFix<ChildNotAwaitedCodeFix>(
        "public partial class C { [Fiber] int M(bool c) { var p = Fiber.Async(() => 1); if (c) return 0; Console.WriteLine(); return 2; } }");

    [Test]
    public void No_fix_for_an_overwritten_child() => Verify<ChildNotAwaitedAnalyzer>.NoFix<ChildNotAwaitedCodeFix>(
        "public partial class C { [Fiber] int M() { var p = Fiber.Async(() => 1); p = Fiber.Async(() => 2); return Fiber.Await(p); } }");
}
