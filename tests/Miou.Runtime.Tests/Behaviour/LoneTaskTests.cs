using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A task alone in its domain's run queue runs its next slot in place, without the round trip through the queue, when
/// nothing else would happen between the two slots. These cases pin what must still happen between them: hooks (D10
/// pins them too), the poll of the event source while a suspension is pending, and the points themselves, whose count
/// is unchanged.
/// </summary>
public class LoneTaskTests
{
    [Test]
    public void A_lone_task_still_lets_the_event_source_be_polled_after_each_of_its_points()
    {
        // The sleeper parks on the clock; the root is then the only runnable task. The clock advances one tick per poll,
        // and a poll follows every step while the sleep is pending (spec §5.2): the tick the root sees after each yield
        // counts its steps, and the sleeper wakes between the same two yields as through the queue.
        var clock = new VirtualClock();
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var sleeper = await Fiber.SpawnAsync(async () =>
            {
                await clock.SleepAsync(3);
                log.Add("woke");
            });
            for (var i = 0; i < 8; i++)
            {
                await Fiber.YieldAsync();
                log.Add($"y{i}@{clock.Tick}");
            }

            await Fiber.AwaitAsync(sleeper);
        }, clock.Options(Fifo));

        Assert.That(string.Join(" ", log), Is.EqualTo(ExpectedTicks));
    }

    // Measured through the queue before the in-place slot existed (commit 6a828ce), and the same with it.
    private const string ExpectedTicks = "y0@0 y1@0 y2@0 y3@0 y4@1 y5@2 y6@3 woke y7@3";

    [Test]
    public void A_lone_task_spends_the_same_points_per_slot_with_quanta() =>
        // Quanta 3: the lone root's points are answered three per slot, in place or not; the hook runs once per slot.
        Assert.That(HookRunsDuringLoneWork(Fifo with { Quanta = 3 }), Is.EqualTo(HookRunsQuanta3));

    [Test]
    public void A_lone_task_spends_one_slot_per_point_with_quanta_1() =>
        Assert.That(HookRunsDuringLoneWork(Fifo), Is.EqualTo(HookRunsQuanta1));

    // Measured through the queue before the in-place slot existed (commit 6a828ce).
    private const int HookRunsQuanta1 = 25, HookRunsQuanta3 = 15;

    /// <summary>How often a hook ran (once per step) while the lone root spawned, awaited and yielded.</summary>
    private static int HookRunsDuringLoneWork(RunOptions options)
    {
        var steps = 0;
        Fiber.Run(async () =>
        {
            var hook = await Hook.AddAsync(() => steps++);
            for (var i = 0; i < 4; i++)
            {
                var child = await Fiber.SpawnAsync(static async () => { });
                await Fiber.AwaitAsync(child);
                await Fiber.YieldAsync();
                await Domain.SelfAsync();
            }

            await hook.RemoveAsync();
        }, options);
        return steps;
    }
}
