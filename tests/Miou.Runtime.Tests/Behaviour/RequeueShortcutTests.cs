using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A spawn answered in place on dom0 ends its slot, most of the time, with one other task queued (the child it spawned
/// last) and nothing else due: the steps after it then run without the general loop's checks, the random policy drawing
/// as a pop would (<c>DomainScheduler.NextTwoSteps</c>). These pin whole traces without a hook (a hook
/// gives every step more to do, which turns that path off, so <see cref="SpawnInPlaceTests"/> does not reach it): the
/// other task returns at once, yields, spawns and awaits a grandchild (its slot queues a task), is cancelled while queued
/// (its entry goes stale) or cancels its own child, under FIFO and seeds, quanta 1 and 2. The figures were measured on
/// 1bcc3e9, before that path existed.
/// </summary>
public class RequeueShortcutTests
{
    [TestCase(1, "Start1 Spawn2 s0 Start2 Done2 Spawn3 s1 Start3 y1 Done3 Spawn4 s2 Start4 Spawn5 s3 Spawn6 Start5 Start6 Done6 g2 Done4 Spawn7 Start7 Cancel1 Cancelled5 Done5 Resume1 Spawn8 Cancel1 s4 Start8 Cancel7 Cancelled8 Done8 Resume7 Spawn9 s5 Cancel7 Done7 Start9 Done9 Spawn10 s6 Start10 y6 Done10 Spawn11 s7 Start11 Spawn12 s8 Spawn13 Start12 Start13 Done13 g7 Done11 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(2, "Start1 Spawn2 s0 Start2 Done2 Spawn3 s1 Start3 Spawn4 s2 y1 Done3 Start4 Spawn5 s3 Spawn6 Start5 Spawn7 Start6 Done6 g2 Done4 Start7 Cancel1 Cancelled5 Done5 Resume1 Spawn8 Cancel1 s4 Start8 Cancel7 Cancelled8 Done8 Resume7 Spawn9 s5 Cancel7 Done7 Start9 Done9 Spawn10 s6 Start10 Spawn11 s7 y6 Done10 Start11 Spawn12 s8 Spawn13 Start12 Start13 Done13 g7 Done11 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    public void Traces_are_those_of_the_general_steps_under_FIFO(int quanta, string expected) =>
        Assert.That(Trace(Fifo with { Quanta = quanta }), Is.EqualTo(expected));

    [TestCase(1UL, 1, "Start1 Spawn2 s0 Start2 Done2 Spawn3 s1 Start3 Spawn4 s2 Start4 y1 Done3 Spawn6 Spawn5 s3 Spawn7 Start5 Start7 Start6 Done6 g2 Done4 Cancel1 Cancelled5 Done5 Resume1 Cancel1 s4 Spawn9 s5 Spawn8 Start8 Start9 Done9 Cancel7 Cancelled8 Done8 Resume7 Spawn10 s6 Start10 Spawn11 s7 Cancel7 Done7 Start11 Spawn12 s8 y6 Done10 Spawn13 Start12 Await11 Start13 Done13 Resume11 g7 Done11 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(2UL, 1, "Start1 Spawn2 s0 Spawn3 s1 Start2 Done2 Spawn4 s2 Start3 Start4 Spawn6 Start6 Done6 y1 Done3 g2 Done4 Spawn5 s3 Start5 Spawn7 Start7 Spawn8 Cancel1 Cancelled5 Done5 Resume1 Start8 Cancel1 s4 Cancel7 Cancelled8 Done8 Resume7 Cancel7 Done7 Spawn9 s5 Spawn10 s6 Start10 Start9 Done9 y6 Done10 Spawn11 s7 Start11 Spawn13 Spawn12 s8 Start13 Done13 Start12 g7 Done11 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(3UL, 1, "Start1 Spawn2 s0 Start2 Done2 Spawn3 s1 Start3 Spawn4 s2 Spawn5 s3 Start4 y1 Done3 Spawn7 Await4 Start5 Spawn6 Start6 Start7 Done7 Resume4 g2 Done4 Cancel1 Cancelled5 Done5 Resume1 Cancel1 s4 Spawn9 s5 Spawn8 Spawn10 s6 Start8 Start9 Done9 Spawn11 s7 Cancel6 Cancelled8 Done8 Resume6 Start11 Start10 Cancel6 Done6 Spawn13 Start13 Done13 g7 Done11 Spawn12 s8 y6 Done10 Start12 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(4UL, 1, "Start1 Spawn2 s0 Spawn3 s1 Start2 Done2 Start3 y1 Done3 Spawn4 s2 Start4 Spawn6 Spawn5 s3 Start5 Start6 Done6 g2 Done4 Spawn7 Start7 Cancel1 Cancelled5 Done5 Resume1 Cancel1 s4 Spawn9 s5 Spawn8 Start8 Start9 Done9 Spawn10 s6 Cancel7 Cancelled8 Done8 Resume7 Start10 Cancel7 Done7 y6 Done10 Spawn11 s7 Start11 Spawn12 s8 Start12 Spawn13 Await11 Start13 Done13 Resume11 Await1 g7 Done11 Resume1 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(5UL, 2, "Start1 Spawn2 s0 Spawn3 s1 Start2 Done2 Spawn4 s2 Spawn5 s3 Start5 Start4 Start3 Spawn6 Start6 Spawn7 Start7 Done7 g2 Done4 y1 Done3 Spawn8 Cancel1 Cancelled5 Done5 Resume1 Cancel6 Cancelled8 Done8 Resume6 Cancel6 Done6 Cancel1 s4 Spawn9 s5 Spawn10 s6 Spawn11 s7 Start10 y6 Done10 Start11 Start9 Done9 Spawn13 Start13 Done13 Spawn12 s8 g7 Done11 Start12 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    [TestCase(6UL, 2, "Start1 Spawn2 s0 Spawn3 s1 Spawn4 s2 Start4 Spawn6 Start6 Done6 g2 Done4 Spawn5 s3 Start3 Start5 Start2 Done2 Spawn7 Start7 Spawn8 Cancel1 Cancelled5 Done5 Resume1 y1 Done3 Cancel1 s4 Spawn9 s5 Spawn10 s6 Start9 Done9 Cancel7 Cancelled8 Done8 Resume7 Spawn11 s7 Spawn12 s8 Start12 Start10 Cancel7 Done7 Start11 Spawn13 y6 Done10 Start13 Done13 g7 Done11 Cancel1 Cancelled12 Done12 Resume1 Cancel1 Done1")]
    public void Traces_are_those_of_the_general_steps_under_seeds(ulong seed, int quanta, string expected) =>
        Assert.That(Trace(Seeded(seed) with { Quanta = quanta }), Is.EqualTo(expected));

    private static string Trace(RunOptions options)
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var children = new List<Promise>();
            var endless = new List<Promise>();
            for (var i = 0; i < 9; i++)
            {
                var n = i; // each child logs its own
                switch (i % 5)
                {
                    case 0:
                        children.Add(await Fiber.SpawnAsync(async () => { }));
                        break;
                    case 1:
                        children.Add(await Fiber.SpawnAsync(async () =>
                        {
                            await Fiber.YieldAsync();
                            log.Add($"y{n}");
                        }));
                        break;
                    case 2:
                        children.Add(await Fiber.SpawnAsync(async () =>
                        {
                            var grandchild = await Fiber.SpawnAsync(async () => { });
                            await Fiber.AwaitAsync(grandchild);
                            log.Add($"g{n}");
                        }));
                        break;
                    case 3:
                        endless.Add(await Fiber.SpawnAsync(Bodies.Infinite)); // cancelled while queued, by the next case
                        break;
                    default:
                        children.Add(await Fiber.SpawnAsync(async () =>
                        {
                            var victim = await Fiber.SpawnAsync(Bodies.Infinite);
                            await Fiber.CancelAsync(victim);
                        }));
                        foreach (var task in endless)
                        {
                            await Fiber.CancelAsync(task);
                        }

                        endless.Clear();
                        break;
                }

                log.Add($"s{i}");
            }

            foreach (var child in children)
            {
                await Fiber.AwaitAsync(child);
            }

            foreach (var task in endless)
            {
                await Fiber.CancelAsync(task);
            }
        }, options with { Trace = t => log.Add($"{t.Kind}{t.PromiseId}") });
        return string.Join(" ", log);
    }
}
