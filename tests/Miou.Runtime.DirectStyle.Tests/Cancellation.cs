namespace Miou.DirectStyle.Tests;

/// <summary>Cancellation (spec §3): C6, D8, and cancellation unwinding finally/using in direct style.</summary>
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
    private static Result<Unit> C06Main()
    {
        var p = Fiber.Async(() => { });
        Fiber.Await(p);
        Fiber.Cancel(p);
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void C06_cancel_after_completion() => ForSeeds(seed =>
        Assert.That(Fiber.Run(C06Main, Seeded(seed)).Error, Is.TypeOf<CancelledException>()));

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
