namespace Miou.DirectStyle.Tests;

/// <summary>Cancellation (spec §3): C6, D8 (both examples), and cancellation unwinding finally/using in direct style.</summary>
public partial class Cancellation
{
    private readonly List<string> _log = [];
    private bool _started;

    [SetUp]
    public void Reset() => _started = false;

    /// <summary>Yields until the child has run once, so that cancelling it interrupts it (whatever the seed).</summary>
    [Fiber]
    private void UntilStarted()
    {
        while (!_started)
        {
            Fiber.Yield();
        }
    }

    [Fiber]
    private static (Result<Unit> Result, PromiseState State) C06Main()
    {
        var p = Fiber.Async(() => { });
        Fiber.Await(p);
        Fiber.Cancel(p);
        return (Fiber.AwaitResult(p), p.State);
    }

    [Test]
    public void C06_cancel_after_completion() => ForSeeds(seed =>
    {
        var (result, state) = Fiber.Run(C06Main, Seeded(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        // Kept from the original (spec §10 Q2): the task's own outcome is unchanged, only later awaits see the cancel.
        Assert.That(state, Is.EqualTo(PromiseState.Finished));
    });

    // D8, miou.mli's cancel: `p = async (); await_exn p; cancel p; await_exn p` raises Cancelled.
    [Fiber]
    private static void D08Main()
    {
        var p = Fiber.Async(() => { });
        Fiber.Await(p);
        Fiber.Cancel(p);
        Fiber.Await(p);
    }

    [Test]
    public void D08_cancel_after_resolution_rethrows_cancelled() => ForSeeds(seed =>
        Assert.Throws<CancelledException>(() => Fiber.Run(D08Main, Seeded(seed))));

    // D8, second example: `p = async (print "Resolved!"); yield (); cancel p; await_exn p` prints "Resolved!" (the yield
    // lets p run first: FIFO order) and then raises Cancelled.
    [Fiber]
    private void D08ResolvedMain()
    {
        var p = Fiber.Async(() => _log.Add("Resolved!"));
        Fiber.Yield();
        Fiber.Cancel(p);
        _log.Add("cancel returned");
        Fiber.Await(p);
    }

    [Test]
    public void D08_cancel_of_a_resolved_child_prints_then_rethrows_cancelled()
    {
        _log.Clear();
        Assert.Throws<CancelledException>(() => Fiber.Run(D08ResolvedMain, Fifo));
        Assert.That(_log, Is.EqualTo(new[] { "Resolved!", "cancel returned" }));
    }

    private sealed class Logged(List<string> log, string name) : IDisposable
    {
        public void Dispose() => log.Add("dispose " + name);
    }

    [Fiber]
    private void Infinite()
    {
        using var resource = new Logged(_log, "child");
        _started = true;
        try
        {
            while (true)
            {
                Fiber.Yield();
            }
        }
        finally
        {
            _log.Add("finally");
        }
    }

    [Fiber]
    private Result<Unit> CancelInfiniteMain()
    {
        var p = Fiber.Async(Infinite);
        UntilStarted();
        Fiber.Cancel(p);
        _log.Add("cancel returned");
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void Cancel_unwinds_finally_and_using_of_a_direct_style_child_before_returning() => ForSeeds(seed =>
    {
        _log.Clear();
        _started = false;
        var result = Fiber.Run(CancelInfiniteMain, Seeded(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(_log, Is.EqualTo(new[] { "finally", "dispose child", "cancel returned" }));
    });

    [Fiber]
    private string ProtectMain()
    {
        var p = Fiber.Async(() => Fiber.Protect(
            () => { _started = true; while (true) Fiber.Yield(); },
            onCancellation: () => _log.Add("on cancellation"),
            @finally: cancelled => _log.Add("finally " + cancelled)));
        UntilStarted();
        Fiber.Cancel(p);
        return Fiber.AwaitResult(p).Error?.GetType().Name ?? "none";
    }

    [Test]
    public void Protect_runs_its_cleanups_when_a_direct_style_body_is_cancelled() => ForSeeds(seed =>
    {
        _log.Clear();
        _started = false;
        Assert.That(Fiber.Run(ProtectMain, Seeded(seed)), Is.EqualTo(nameof(CancelledException)));
        Assert.That(_log, Is.EqualTo(new[] { "finally True", "on cancellation" }));
    });
}
