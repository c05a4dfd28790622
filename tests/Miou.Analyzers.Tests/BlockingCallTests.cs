using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0005: a blocking call inside a fiber.</summary>
public sealed class BlockingCallTests
{
    /// <summary>A stand-in for Miou.Unix's sleep, to check the fix that uses it.</summary>
    private const string UnixStub = """

        namespace Miou.Unix
        {
            public static class UnixIO
            {
                [Miou.DirectStyle("SleepAsync")]
                public static void Sleep(System.TimeSpan duration) { }
            }
        }
        """;

    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Thread.Sleep", """
            [Fiber] void M() { {|MIOU0005:Thread.Sleep|}(100); }
            """);
        yield return Case("Thread.Sleep(0)", """
            [Fiber] void M() { {|MIOU0005:Thread.Sleep|}(0); }
            """);
        yield return Case("Task.Wait", """
            [Fiber] void M(Task t) { {|MIOU0005:t.Wait|}(); }
            """);
        yield return Case("Task.Wait with a timeout", """
            [Fiber] bool M(Task t) => {|MIOU0005:t.Wait|}(1000);
            """);
        yield return Case("Task.Result", """
            [Fiber] int M(Task<int> t) => {|MIOU0005:t.Result|};
            """);
        yield return Case("GetAwaiter().GetResult()", """
            [Fiber] int M(Task<int> t) => {|MIOU0005:t.GetAwaiter().GetResult|}();
            """);
        yield return Case("ConfigureAwait(false).GetAwaiter().GetResult()", """
            [Fiber] int M(Task<int> t) => {|MIOU0005:t.ConfigureAwait(false).GetAwaiter().GetResult|}();
            """);
        yield return Case("ConfigureAwait(false).GetAwaiter().GetResult() of a plain task", """
            [Fiber] void M(Task t) => {|MIOU0005:t.ConfigureAwait(false).GetAwaiter().GetResult|}();
            """);
        yield return Case("Task.WaitAll", """
            [Fiber] void M(Task a, Task b) { {|MIOU0005:Task.WaitAll|}(a, b); }
            """);
        yield return Case("Task.WaitAny", """
            [Fiber] int M(Task a, Task b) => {|MIOU0005:Task.WaitAny|}(a, b);
            """);
        yield return Case("Monitor.TryEnter held across a suspension", """
            readonly object _gate = new();
            [Fiber] void M() { if ({|MIOU0005:Monitor.TryEnter|}(_gate)) { try { Fiber.Yield(); } finally { Monitor.Exit(_gate); } } }
            """);
        yield return Case("Mutex.WaitOne", """
            [Fiber] void M(Mutex m) { {|MIOU0005:m.WaitOne|}(); m.ReleaseMutex(); }
            """);
        yield return Case("SemaphoreSlim.Wait", """
            [Fiber] void M(SemaphoreSlim s) { {|MIOU0005:s.Wait|}(); s.Release(); }
            """);
        yield return Case("lock held across a suspension", """
            readonly object _gate = new();
            [Fiber] void M() { {|MIOU0005:lock (_gate)|} { Fiber.Yield(); } }
            """);
        yield return Case("Monitor held across a suspension", """
            readonly object _gate = new();
            [Fiber] void M() { {|MIOU0005:Monitor.Enter|}(_gate); try { Fiber.Yield(); } finally { Monitor.Exit(_gate); } }
            """);
        yield return Case("In a fiber body", """
            [Fiber] void M() { Fiber.Await(Fiber.Async(() => {|MIOU0005:Thread.Sleep|}(10))); }
            """);
        yield return Case("In a hand-written async fiber", """
            async Fiber M(Task t) { {|MIOU0005:t.Wait|}(); await Fiber.YieldAsync(); }
            """);
        yield return Case("Result of a task started here", """
            [Fiber] int M() { var t = Task.Run(() => 1); return {|MIOU0005:t.Result|}; }
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("Not a fiber", """
            void M(Task t) { Thread.Sleep(10); t.Wait(); }
            """);
        yield return Case("Plain lambda run elsewhere", """
            [Fiber] void M() { var t = Task.Run(() => Thread.Sleep(10)); Fiber.AwaitTask(t); }
            """);
        yield return Case("Fiber.AwaitTask", """
            [Fiber] int M(Task<int> t) => Fiber.AwaitTask(t);
            """);
        yield return Case("Result after Fiber.AwaitTask", """
            [Fiber] int M(Task<int> t) { Fiber.AwaitTask(t); return t.Result; }
            """);
        yield return Case("Result guarded by IsCompleted", """
            [Fiber] int M(Task<int> t) { if (t.IsCompletedSuccessfully) return t.Result; return 0; }
            """);
        yield return Case("Result of a completed task", """
            [Fiber] int M() => Task.FromResult(1).Result;
            """);
        yield return Case("Miou's Result<T> is not a task", """
            [Fiber] int M(Promise<int> p) { var r = Fiber.AwaitResult(p); return r.IsOk ? r.Value : 0; }
            """);
        yield return Case("lock around plain code", """
            readonly object _gate = new();
            int _n;
            [Fiber] void M() { lock (_gate) { _n++; } Fiber.Yield(); }
            """);
        yield return Case("Monitor released before the suspension", """
            readonly object _gate = new();
            [Fiber] void M() { Monitor.Enter(_gate); try { Console.WriteLine(); } finally { Monitor.Exit(_gate); } Fiber.Yield(); }
            """);
        yield return Case("FiberMutex", """
            [Fiber] void M(FiberMutex m) { m.Lock(); try { Fiber.Yield(); } finally { m.Unlock(); } }
            """);
        yield return Case("Thread.Sleep in a thread started by the fiber", """
            [Fiber] void M() { var th = new Thread(() => Thread.Sleep(10)); th.Start(); }
            """);
        yield return Case("Own Wait method", """
            class Waiter { public void Wait() { } }
            [Fiber] void M(Waiter w) { w.Wait(); }
            """);
        yield return Case("SemaphoreSlim.Release alone", """
            [Fiber] void M(SemaphoreSlim s) { s.Release(); }
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<BlockingCallAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<BlockingCallAnalyzer>.Diagnostics(source);

    [Test]
    public void Fix_replaces_Sleep_0_with_Yield() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "public partial class C { [Fiber] void M() { Thread.Sleep(0); } }",
        "public partial class C { [Fiber] void M() { Fiber.Yield(); } }",
        BlockingCallCodeFix.YieldTitle);

    [Test]
    public void Fix_replaces_Sleep_with_UnixIO_Sleep() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "using Miou.Unix;\npublic partial class C { [Fiber] void M() { Thread.Sleep(250); } }" + UnixStub,
        "using Miou.Unix;\npublic partial class C { [Fiber] void M() { UnixIO.Sleep(TimeSpan.FromMilliseconds(250)); } }" + UnixStub,
        BlockingCallCodeFix.UnixSleepTitle);

    [Test]
    public void Fix_replaces_Sleep_of_a_TimeSpan_with_UnixIO_Sleep() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "using Miou.Unix;\npublic partial class C { [Fiber] void M(TimeSpan d) { Thread.Sleep(d); } }" + UnixStub,
        "using Miou.Unix;\npublic partial class C { [Fiber] void M(TimeSpan d) { UnixIO.Sleep(d); } }" + UnixStub,
        BlockingCallCodeFix.UnixSleepTitle);

    [Test]
    public void Fix_replaces_Wait_with_AwaitTask() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "public partial class C { [Fiber] void M(Task t) { t.Wait(); } }",
        "public partial class C { [Fiber] void M(Task t) { Fiber.AwaitTask(t); } }",
        BlockingCallCodeFix.AwaitTaskTitle);

    [Test]
    public void Fix_replaces_Result_with_AwaitTask() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "public partial class C { [Fiber] int M(Task<int> t) => t.Result + 1; }",
        "public partial class C { [Fiber] int M(Task<int> t) => Fiber.AwaitTask(t) + 1; }",
        BlockingCallCodeFix.AwaitTaskTitle);

    [Test]
    public void Fix_replaces_GetResult_with_AwaitTask() => Verify<BlockingCallAnalyzer>.Fix<BlockingCallCodeFix>(
        "public partial class C { [Fiber] int M(Task<int> t) { return t.GetAwaiter().GetResult(); } }",
        "public partial class C { [Fiber] int M(Task<int> t) { return Fiber.AwaitTask(t); } }",
        BlockingCallCodeFix.AwaitTaskTitle);

    [Test]
    public void No_suspending_fix_inside_a_lock() => Verify<BlockingCallAnalyzer>.NoFix<BlockingCallCodeFix>(
        // Fiber.Yield() there is a suspension inside lock: the generator rejects it (MIOUG008).
        "public partial class C { [Fiber] void M() { lock (this) { Thread.Sleep(0); } } }");

    [Test]
    public void No_suspending_fix_inside_an_exception_filter() => Verify<BlockingCallAnalyzer>.NoFix<BlockingCallCodeFix>(
        // Fiber.AwaitTask there is a suspension inside a filter: the generator rejects it (MIOUG009).
        "public partial class C { [Fiber] void M(Task<int> t) { try { Fiber.Yield(); } catch (InvalidOperationException) when (t.Result > 0) { throw; } } }");

    [Test]
    public void No_fix_for_a_ConfigureAwait_GetResult() => Verify<BlockingCallAnalyzer>.NoFix<BlockingCallCodeFix>(
        "public partial class C { [Fiber] int M(Task<int> t) { return t.ConfigureAwait(false).GetAwaiter().GetResult(); } }");
}
