using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Core;

/// <summary>
/// A void child whose body returns without ever suspending ends on a shorter path (<c>Rules.OnBodyReturnedAtOnce</c>):
/// its outcome and tear-down published in one write, its parent told only when parked on it (an await, an await-any) or
/// when it consumed the child already. These pin the whole trace (every spawn, start, park, wake-up, cancellation and end)
/// of such children beside a yielding sibling: awaited while queued (the parent parks and is woken), awaited after they
/// ended, awaited all at once, cancelled after they ended, and failing at once, under FIFO with quanta 1 and 2 and under
/// the random policy, with the figures measured on ee88ec1, before the shorter path.
/// </summary>
public class AtOnceChildTests
{
    [TestCase(1, "Start1 Spawn2:1 Start2 Spawn3:1 Start3 Done3 Done2 Spawn4:1 Start4 Done4 Spawn5:1 Start5 Done5 Spawn6:1 Start6 Done6 Spawn7:1 Start7 Done7 Spawn8:1 Start8 Done8 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Start10 Done10 Done1 | all 3, g InvalidOperationException, f Finished False")]
    [TestCase(2, "Start1 Spawn2:1 Start2 Spawn3:1 Start3 Done3 Spawn4:1 Start4 Done4 Spawn5:1 Done2 Start5 Done5 Spawn6:1 Start6 Done6 Spawn7:1 Start7 Done7 Spawn8:1 Start8 Done8 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Start10 Done10 Done1 | all 3, g InvalidOperationException, f Finished False")]
    public void Children_that_return_at_once_end_as_before_under_FIFO(int quanta, string expected) =>
        Assert.That(Trace(Fifo with { Quanta = quanta }), Is.EqualTo(expected));

    [TestCase(1UL, 1, "Start1 Spawn2:1 Start2 Spawn3:1 Start3 Done3 Done2 Spawn4:1 Start4 Done4 Spawn5:1 Await1:5 Start5 Done5 Resume1 Spawn6:1 Start6 Done6 Spawn7:1 Start7 Done7 Spawn8:1 Start8 Done8 Spawn9:1 Cancel1:9 Cancelled9 Done9 Resume1 Cancel1:9 Spawn10:1 Await1:10 Start10 Done10 Resume1 Done1 | all 3, g InvalidOperationException, f Exited False")]
    [TestCase(2UL, 1, "Start1 Spawn2:1 Spawn3:1 Start2 Start3 Done3 Spawn4:1 Start4 Done4 Spawn5:1 Done2 Start5 Done5 Spawn6:1 Spawn7:1 Start7 Done7 Spawn8:1 Start8 Done8 Start6 Done6 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Start10 Done10 Done1 | all 3, g InvalidOperationException, f Finished False")]
    [TestCase(3UL, 1, "Start1 Spawn2:1 Start2 Spawn3:1 Done2 Start3 Done3 Spawn4:1 Start4 Done4 Spawn5:1 Start5 Done5 Spawn6:1 Spawn7:1 Start7 Done7 Start6 Done6 Spawn8:1 Start8 Done8 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Start10 Done10 Done1 | all 3, g InvalidOperationException, f Finished False")]
    [TestCase(4UL, 2, "Start1 Spawn2:1 Spawn3:1 Await1:3 Start3 Done3 Resume1 Start2 Spawn4:1 Spawn5:1 Start5 Done5 Start4 Done4 Done2 Spawn6:1 Spawn7:1 Spawn8:1 Start8 Done8 Start6 Done6 Await1:7 Start7 Done7 Resume1 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Await1:10 Start10 Done10 Resume1 Done1 | all 3, g InvalidOperationException, f Finished False")]
    [TestCase(5UL, 2, "Start1 Spawn2:1 Spawn3:1 Start2 Await1:3 Start3 Done3 Resume1 Spawn4:1 Start4 Done4 Done2 Spawn5:1 Start5 Done5 Spawn6:1 Spawn7:1 Start7 Done7 Spawn8:1 Await1:8 Start8 Done8 Resume1 Start6 Done6 Spawn9:1 Start9 Done9 Cancel1:9 Cancelled9 Spawn10:1 Start10 Done10 Done1 | all 3, g InvalidOperationException, f Finished False")]
    public void Children_that_return_at_once_end_as_before_under_the_random_policy(ulong seed, int quanta, string expected) =>
        Assert.That(Trace(Seeded(seed) with { Quanta = quanta }), Is.EqualTo(expected));

    private static string Trace(RunOptions options)
    {
        var log = new List<string>();
        var outcomes = new List<string>();
        Fiber.Run(async () =>
        {
            var busy = await Fiber.SpawnAsync(static async () =>
            {
                for (var i = 0; i < 4; i++)
                {
                    await Fiber.YieldAsync();
                }
            });
            var a = await Fiber.SpawnAsync(static async () => { });
            await Fiber.AwaitAsync(a); // queued, or ended already
            var b = await Fiber.SpawnAsync(static async () => { });
            var c = await Fiber.SpawnAsync(static async () => { });
            await Fiber.YieldAsync();
            await Fiber.AwaitAsync(c);
            await Fiber.AwaitAsync(b);
            var d = await Fiber.SpawnAsync(static async () => { });
            var e = await Fiber.SpawnAsync(static async () => { });
            var h = await Fiber.SpawnAsync(static async () => { });
            outcomes.Add($"all {(await Fiber.AwaitAllAsync(h, e, d)).Count(x => x.IsOk)}");
            var f = await Fiber.SpawnAsync(static async () => { });
            await Fiber.YieldAsync();
            await Fiber.CancelAsync(f);
            var g = await Fiber.SpawnAsync(static () => throw new InvalidOperationException("at once"));
            var r = await Fiber.AwaitResultAsync(g);
            outcomes.Add(r.IsOk ? "g ok" : $"g {r.Error!.GetType().Name}");
            outcomes.Add($"f {f.State} {(await Fiber.AwaitResultAsync(f)).IsOk}");
            await Fiber.AwaitAsync(busy);
        }, options with { Trace = t => log.Add(t.Other == 0 ? $"{t.Kind}{t.PromiseId}" : $"{t.Kind}{t.PromiseId}:{t.Other}") });
        return string.Join(" ", log) + " | " + string.Join(", ", outcomes);
    }
}
