namespace Miou.Tests.Behaviour;

/// <summary>RunOptions.Quanta: how many operations a task performs per slot before it goes back to the queue (spec §1.3).</summary>
public class QuantaTests
{
    /// <summary>
    /// Two tasks, A and B, each log a mark before each of five one-point operations (<c>Domain.SelfAsync</c>), or before
    /// each of five yields; under FIFO the log shows how many operations each slot holds.
    /// </summary>
    internal static string TwoTasks(RunOptions options, bool yields = false)
    {
        var log = new List<string>();
        async Fiber Task(string name)
        {
            for (var i = 0; i < 5; i++)
            {
                log.Add($"{name}{i}");
                if (yields)
                {
                    await Fiber.YieldAsync();
                }
                else
                {
                    await Domain.SelfAsync();
                }
            }

            log.Add($"{name}!");
        }

        Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(() => Task("A"));
            var b = await Fiber.SpawnAsync(() => Task("B"));
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        }, options with { Policy = SchedulingPolicy.Fifo });
        return string.Join(" ", log);
    }

    // One operation per slot. A starts while the root still spends two slots spawning B, so it logs A1 and A2 before
    // B starts; from then on A and B alternate after every operation (the root parks in its await).
    internal const string OnePerSlot = "A0 A1 A2 B0 A3 B1 A4 B2 A! B3 B4 B!";

    // A task's first slot runs its body up to its first operation; each later slot answers three: A1 A2 A3 and B1 B2 B3
    // come in one slot each, and A4 A! in A's last one.
    internal const string ThreePerSlot = "A0 A1 A2 A3 B0 A4 A! B1 B2 B3 B4 B!";

    // Quanta 3 but every operation of A and B is a yield: one per slot, alternating (the root, which does not yield,
    // gets through its spawn and await in fewer slots than with Quanta 1, so B starts earlier).
    internal const string YieldsWithThree = "A0 A1 B0 A2 B1 A3 B2 A4 B3 A! B4 B!";

    [Test]
    public void Quanta_1_alternates_after_every_operation() =>
        Assert.That(TwoTasks(new RunOptions { Quanta = 1 }), Is.EqualTo(OnePerSlot));

    [Test]
    public void Quanta_3_lets_a_task_perform_three_operations_per_slot() =>
        Assert.That(TwoTasks(new RunOptions { Quanta = 3 }), Is.EqualTo(ThreePerSlot));

    [Test]
    public void A_yield_ends_the_slot_whatever_the_quanta() =>
        Assert.That(TwoTasks(new RunOptions { Quanta = 3 }, yields: true), Is.EqualTo(YieldsWithThree));

    [Test]
    public void A_spawn_costs_two_operations_of_the_quanta()
    {
        // With Quanta = 2 the root spawns one child per slot; with Quanta = 4, two. The children log when they start.
        string Run(int quanta)
        {
            var log = new List<string>();
            Fiber.Run(async () =>
            {
                var ps = new List<Promise>();
                for (var i = 0; i < 4; i++)
                {
                    var n = i;
                    log.Add($"spawn{n}");
                    ps.Add(await Fiber.SpawnAsync(async () => log.Add($"run{n}")));
                }

                await Fiber.AwaitAllAsync(ps);
            }, new RunOptions { Quanta = quanta, Policy = SchedulingPolicy.Fifo });
            return string.Join(" ", log);
        }

        Assert.That(Run(2), Is.EqualTo("spawn0 spawn1 run0 spawn2 run1 spawn3 run2 run3"));
        Assert.That(Run(4), Is.EqualTo("spawn0 spawn1 spawn2 run0 run1 spawn3 run2 run3"));
    }
}
