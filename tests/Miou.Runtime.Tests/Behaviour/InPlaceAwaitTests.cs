using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// An await of a child that has terminated is answered at once, in place, by the awaiter itself (no suspension) when the
/// slot would answer it with nothing else done first: the slot's budget covers its point, or nothing else would run
/// before the task's next slot. The point is still spent from the slot's budget. These pin the interleavings of awaits of
/// finished children (all four await awaiters) beside yielding siblings, under FIFO with quanta 1 to 3 and under the random
/// policy, with the figures measured on 585c73c, where every await suspended and the slot answered it; a point answered in
/// place but not spent changes the quanta 2 and 3 orders. And the checks the slot makes still apply.
/// </summary>
public class InPlaceAwaitTests
{
    [TestCase(1, "b0 b1 b2 r0 b3 late r1 b4 v7 r2 b5 v7 r3 late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(2, "b0 b1 r0 r1 b2 late v7 r2 v7 r3 b3 late awaited r4 b4 r5 v7 r6 b5 v7 r7 r8 r9")]
    [TestCase(3, "b0 r0 b1 r1 v7 r2 v7 r3 b2 late late awaited r4 r5 b3 v7 r6 v7 r7 r8 b4 r9 b5")]
    public void Awaits_of_finished_children_interleave_as_when_the_slot_answered_them(int quanta, string expected) =>
        Assert.That(Interleaving(Fifo with { Quanta = quanta }), Is.EqualTo(expected));

    [TestCase(1UL, 1, "b0 b1 b2 b3 b4 r0 r1 v7 r2 v7 r3 b5 late late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(2UL, 1, "b0 b1 b2 b3 b4 b5 r0 r1 v7 r2 v7 r3 late late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(3UL, 1, "b0 b1 b2 b3 b4 b5 late r0 r1 v7 r2 v7 r3 late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(1UL, 2, "b0 b1 b2 b3 b4 late b5 r0 r1 v7 r2 v7 r3 late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(2UL, 2, "b0 late b1 b2 r0 r1 v7 r2 v7 r3 b3 b4 b5 late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    [TestCase(3UL, 2, "b0 b1 b2 b3 b4 b5 r0 r1 v7 r2 v7 r3 late late awaited r4 r5 v7 r6 v7 r7 r8 r9")]
    public void Awaits_of_finished_children_replay_the_same_seed_the_same_way(ulong seed, int quanta, string expected) =>
        Assert.That(Interleaving(Seeded(seed) with { Quanta = quanta }), Is.EqualTo(expected));

    [Test]
    public void Awaiting_a_finished_promise_that_is_not_a_child_still_breaks_rule_2() =>
        // The grandchild has terminated and nothing else is runnable: the await is not answered in place but by the slot,
        // which reports the broken rule.
        Assert.Throws<NotAChildException>(() => Fiber.Run(async () =>
        {
            var child = await Fiber.SpawnAsync(static async () =>
            {
                var grandchild = await Fiber.SpawnAsync(static async () => { });
                await Fiber.AwaitAsync(grandchild);
                return grandchild;
            });
            var stranger = await Fiber.AwaitAsync(child);
            await Fiber.AwaitAsync(stranger);
        }, Fifo));

    private static string Interleaving(RunOptions options)
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var done = await Fiber.SpawnAsync(static async () => { });
            var seven = await Fiber.SpawnAsync(static async () => 7);
            var busy = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 6; i++)
                {
                    log.Add($"b{i}");
                    await Fiber.YieldAsync();
                }
            });
            var late = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.YieldAsync();
                log.Add("late");
            });
            for (var i = 0; i < 10; i++)
            {
                switch (i % 4)
                {
                    case 0:
                        await Fiber.AwaitAsync(done);
                        break;
                    case 1:
                        await Fiber.AwaitResultAsync(done);
                        break;
                    case 2:
                        log.Add($"v{await Fiber.AwaitAsync(seven)}");
                        break;
                    default:
                        log.Add($"v{(await Fiber.AwaitResultAsync(seven)).ValueOrThrow()}");
                        break;
                }

                log.Add($"r{i}");
                if (i == 3)
                {
                    await Fiber.AwaitAsync(late);
                    log.Add("late awaited");
                }
            }

            await Fiber.AwaitAsync(busy);
        }, options);
        return string.Join(" ", log);
    }
}
