using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// The virtual-clock cases with worker domains (tags V and N): C23, C24, C25, C27, on <see cref="SharedClock"/>. The bounds
/// count poll rounds (ticks), not time.
/// </summary>
public class SleepersAcrossDomains
{
    [Test]
    public void C23_cancel_a_sleeping_parallel_task_while_dom0_sleeps() => ForSeeds(seed =>
    {
        // The cancellation crosses domains and reaches a task suspended on the worker (the worker must be interrupted);
        // cancel returns long before the 10-tick sleep would end. The clock starts once both sleeps are registered, so
        // the child really is asleep when it is cancelled.
        var clock = new SharedClock(sleepers: 2);
        var result = Fiber.Run(async () =>
        {
            var a = await Fiber.CallAsync(() => clock.SleepAsync(10));
            await clock.SleepAsync(1);
            await Fiber.CancelAsync(a);
            return await Fiber.AwaitResultAsync(a);
        }, clock.Options(One(seed)));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(clock.Registered, Is.EqualTo(2));
        Assert.That(clock.Tick, Is.LessThan(10));
    });

    [Test]
    public void C24_parallel_sleepers_run_in_parallel() => ForSeeds(seed =>
        Assert.That(ParallelSleeps(seed, 2, 2), Is.InRange(2, 3), "a sleep of 2 ticks waits 2 ticks; one after the other, the sleeps would take 4"));

    [Test]
    public void C25_still_has_children_even_when_the_child_is_stuck_in_a_syscall() => ForSeeds(seed =>
    {
        // The root returns with a child it never awaited, asleep on a worker: the fatal error stops the run promptly,
        // although the worker waits in its event source (the shutdown interrupts it). The root returns once the child's
        // sleep is registered (the original returns at once, when the child may not even have started).
        var clock = new SharedClock(sleepers: 1);
        Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            _ = await Fiber.CallAsync(() => clock.SleepAsync(10));
            await clock.Started.AwaitAsync();
        }, clock.Options(Three(seed))));
        Assert.That(clock.Tick, Is.LessThan(10));
    });

    [Test]
    public void C27_parallel_sleepers_different_lengths() => ForSeeds(seed =>
        Assert.That(ParallelSleeps(seed, 2, 4), Is.InRange(4, 5), "the longer sleep waits its 4 ticks; one after the other, they would take 6"));

    /// <summary>The original's <c>parallel Miouc.sleep ticks</c> with three workers; returns the clock's final tick.</summary>
    private static int ParallelSleeps(ulong seed, params int[] ticks)
    {
        var clock = new SharedClock(sleepers: ticks.Length);
        var results = Fiber.Run(async () => await Fiber.ParallelAsync(async (int t) =>
        {
            await clock.SleepAsync(t);
            return t;
        }, ticks), clock.Options(Three(seed)));
        Assert.That(results.Select(r => r.ValueOrThrow()), Is.EqualTo(ticks), "every sleep ends normally");
        return clock.Tick;
    }
}
