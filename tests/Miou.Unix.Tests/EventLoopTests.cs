using Miou.Unix.EventLoop;

namespace Miou.Unix.Tests;

/// <summary>The loop's interrupt, exercised directly as the runtime would (spec §5.3).</summary>
public class EventLoopTests : UnixTest
{
    [Test]
    public void InterruptBeforeABlockingSelectStillWakesIt()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        loop.Interrupt();
        loop.Interrupt(); // coalesced: still one pending wake-up
        // Level-triggered: the select below returns (with no signal) instead of waiting forever.
        Assert.That(loop.Select(block: true, []).Length, Is.Zero);
    }

    [Test]
    public void InterruptFromAnotherThreadWakesABlockedSelect()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        using var selecting = new ManualResetEventSlim();
        var interrupter = new Thread(() =>
        {
            selecting.Wait();
            loop.Interrupt(); // before or during the select below: either way it must return
        });
        interrupter.Start();
        selecting.Set();
        Assert.That(loop.Select(block: true, []).Length, Is.Zero);
        interrupter.Join();
    }

    [Test]
    public void EachWakeUpCycleNeedsANewInterrupt()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        for (var i = 0; i < 100; i++)
        {
            loop.Interrupt();
            Assert.That(loop.Select(block: true, []).Length, Is.Zero); // returns: the interrupt after a drain was not swallowed
        }
    }

    [Test]
    public void InterruptAfterDisposeIsHarmless()
    {
        var loop = new UnixEventLoop(Domain.Dom0);
        loop.Dispose();
        Assert.DoesNotThrow(loop.Interrupt);
        Assert.DoesNotThrow(loop.Dispose);
    }
}
