using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Triggers and computations (spec §6.1, §6.2): C32, C33.</summary>
public class Sync
{
    [Test]
    public void C32_trigger_signalled_from_a_foreign_thread() => ForSeeds(seed =>
    {
        // The original signals from a raw OS domain unknown to Miou. Here a plain thread waits until the root is parked on
        // the trigger (a parked task is attached to it, so it is no longer initial), then signals it: the wake-up must
        // cross from a thread that is not a domain to dom0, which may be asleep waiting for work.
        var trigger = new Trigger();
        var sawParked = false;
        var signaller = new Thread(() =>
        {
            sawParked = SpinWait.SpinUntil(() => !trigger.IsInitial, TimeSpan.FromSeconds(30));
            trigger.Signal();
        });
        var resumed = Fiber.Run(async () =>
        {
            signaller.Start();
            await trigger.AwaitAsync();
            return trigger.IsSignalled;
        }, Seeded(seed));
        signaller.Join();
        Assert.That(sawParked, Is.True, "the root parked on the trigger before the foreign thread signalled it");
        Assert.That(resumed, Is.True);
    }, count: 4);

    /// <summary>
    /// The original's <c>Computation.try_capture c f x</c> with a fiber body: <see cref="Computation{T}.TryCapture"/> takes
    /// a synchronous function, and C33's body yields, so the capture is spelt out: the value is returned into the
    /// computation, or the exception cancels it and does not escape. A cancellation of the capturing task itself is not
    /// captured.
    /// </summary>
    private static async Fiber<bool> TryCaptureAsync<T>(Computation<T> computation, Func<Fiber<T>> body)
    {
        T value;
        try
        {
            value = await body();
        }
        catch (Exception e) when (e is not CancelledException)
        {
            return computation.TryCancel(e);
        }

        return computation.TryReturn(value);
    }

    [Test]
    public void C33_computation_cancelled_by_another_task() => ForSeeds(seed =>
    {
        var exit = new ExitException();
        var c = new Computation<int>();
        async Fiber<int> Fib(int i)
        {
            c.ThrowIfErrored();
            await Fiber.YieldAsync();
            return i <= 1 ? i : await Fib(i - 1) + (i - 2); // sic: the original's fib is linear
        }

        var (awaited, captured, cancelled) = Fiber.Run(async () =>
        {
            var p1 = await Fiber.SpawnAsync(() => TryCaptureAsync(c, () => Fib(80)));
            var p2 = await Fiber.SpawnAsync(async () => c.TryCancel(exit));
            Exception? error = null;
            try
            {
                await c.AwaitValueAsync();
            }
            catch (ExitException e)
            {
                error = e;
            }

            var byP2 = await Fiber.AwaitAsync(p2);
            var byP1 = await Fiber.AwaitAsync(p1); // p1 ends normally: the Exit raised in fib was captured, not thrown
            return (error, byP1, byP2);
        }, Seeded(seed));
        Assert.That(awaited, Is.SameAs(exit), "awaiting the computation rethrows the exception it was cancelled with");
        Assert.That(cancelled, Is.True, "p2 cancelled the running computation");
        Assert.That(captured, Is.False, "p1's capture came second: the first writer wins");
        Assert.That(c.Peek()?.Error, Is.SameAs(exit));
    });
}
