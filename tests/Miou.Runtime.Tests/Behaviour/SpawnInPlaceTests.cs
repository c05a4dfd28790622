using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A spawn's two scheduling points are answered in the spawning task's awaiter on dom0: the steps they let other tasks
/// take run there, in the same order, until the spawning task's turn comes back (<c>DomainScheduler.TryPointsInPlace</c>).
/// These pin, step by step (a hook counts the steps, and every trace event carries the count), spawns beside yielding
/// siblings, a sibling that cancels its own child while the parent spawns (the in-place steps give up before a
/// cancellation's step), a child spawned by a child (one level only), and a fatal error raised during the in-place
/// steps, and awaits of children still running (the awaiting task parks in place and is woken there, or is cancelled
/// while parked: the in-place steps give up and the cancellation finds it parked), under FIFO with quanta 1 and 2 and
/// under seeds, with the figures measured on ee88ec1, where every spawn and every such await suspended and the slot
/// answered its points.
/// </summary>
public class SpawnInPlaceTests
{
    [TestCase(1, "Start1@0 Spawn2@2 Start2@3 y0@3 y1@5 Spawn3@6 y2@7 Start3@8 y3@10 Spawn4@12 s0@12 y4@13 Spawn5@14 c@14 Start4@15 Done4@15 y5@17 Start5@18 Spawn6@20 s1@20 Done2@21 Cancel3@23 Cancelled5@24 Done5@24 Resume3@24 Start6@25 Done6@25 Cancel3@28 c'@28 Done3@28 Spawn7@30 s2@30 Start7@31 Done7@31 Spawn8@33 s3@33 Start8@34 Done8@34 Spawn9@36 s4@36 Start9@37 Done9@37 Spawn10@39 s5@39 Start10@40 Done10@40 Spawn11@42 Start11@43 Done11@43 v7@44 end@52 Done1@52")]
    [TestCase(2, "Start1@0 Spawn2@1 Start2@2 y0@2 Spawn3@3 y1@4 Start3@5 Spawn4@6 s0@6 y2@7 Spawn5@8 c@8 Start4@9 Done4@9 Spawn6@10 s1@10 y3@11 Start5@12 Cancel3@13 Cancelled5@14 Done5@14 Resume3@14 Start6@15 Done6@15 Spawn7@16 s2@16 y4@17 Cancel3@19 c'@19 Done3@19 Start7@21 Done7@21 Spawn8@22 s3@22 y5@23 Start8@24 Done8@24 Spawn9@25 s4@25 Done2@26 Start9@27 Done9@27 Spawn10@28 s5@28 Start10@29 Done10@29 Spawn11@30 Start11@31 Done11@31 v7@32 end@36 Done1@36")]
    public void Spawns_take_the_same_steps_under_FIFO(int quanta, string expected) =>
        Assert.That(Steps(Fifo with { Quanta = quanta }), Is.EqualTo(expected));

    [TestCase(1UL, 1, "Start1@0 Spawn2@2 Start2@3 y0@3 y1@5 y2@6 y3@7 Spawn3@8 Start3@9 y4@10 y5@11 Spawn5@13 c@13 Cancel3@15 Cancelled5@16 Done5@16 Resume3@16 Done2@19 Cancel3@20 c'@20 Done3@20 Spawn4@22 s0@22 Spawn6@24 s1@24 Start6@26 Done6@26 Spawn7@27 s2@27 Start7@29 Done7@29 Spawn8@30 s3@30 Start8@32 Done8@32 Start4@33 Done4@33 Spawn9@34 s4@34 Start9@35 Done9@35 Spawn10@37 s5@37 Spawn11@39 Await1@41 Start11@42 Done11@42 Resume1@42 Start10@43 Done10@43 v7@44 end@52 Done1@52")]
    [TestCase(2UL, 1, "Start1@0 Spawn2@2 Spawn3@4 Start2@5 y0@5 y1@6 y2@7 y3@8 Start3@9 Spawn4@11 s0@11 Start4@14 Done4@14 Spawn6@15 s1@15 y4@16 y5@17 Spawn5@18 c@18 Spawn7@21 s2@21 Start7@22 Done7@22 Start6@23 Done6@23 Start5@24 Done2@26 Cancel3@29 Cancelled5@30 Done5@30 Resume3@30 Spawn8@31 s3@31 Start8@33 Done8@33 Cancel3@34 c'@34 Done3@34 Spawn9@36 s4@36 Start9@37 Done9@37 Spawn10@40 s5@40 Start10@41 Done10@41 Spawn11@43 Start11@44 Done11@44 v7@45 end@53 Done1@53")]
    [TestCase(3UL, 1, "Start1@0 Spawn2@2 Start2@4 y0@4 Spawn3@5 y1@6 y2@7 y3@8 y4@9 Start3@10 Spawn4@12 s0@12 y5@13 Start4@14 Done4@14 Done2@15 Spawn5@18 c@18 Start5@19 Spawn6@21 s1@21 Spawn7@25 s2@25 Start7@26 Done7@26 Cancel3@28 Cancelled5@29 Done5@29 Resume3@29 Cancel3@31 c'@31 Done3@31 Spawn8@34 s3@34 Start6@35 Done6@35 Start8@36 Done8@36 Spawn9@38 s4@38 Spawn10@40 s5@40 Start10@42 Done10@42 Start9@43 Done9@43 Spawn11@44 Start11@45 Done11@45 v7@46 end@54 Done1@54")]
    [TestCase(4UL, 2, "Start1@0 Spawn2@1 Spawn3@2 Spawn4@3 s0@3 Start3@4 Start2@5 y0@5 Spawn5@6 s1@6 Spawn6@7 c@7 Start5@8 Done5@8 Start6@9 y1@10 Spawn7@11 s2@11 Spawn8@12 s3@12 Start4@13 Done4@13 Start7@15 Done7@15 y2@18 Spawn9@19 s4@19 Spawn10@20 s5@20 Spawn11@21 Start8@22 Done8@22 Await1@23 Start10@24 Done10@24 Start9@25 Done9@25 y3@26 Start11@27 Done11@27 Resume1@27 v7@29 y4@33 y5@34 Cancel3@35 Cancelled6@36 Done6@36 Resume3@36 Cancel3@37 c'@37 Done3@37 Done2@39 end@44 Done1@44")]
    public void Spawns_take_the_same_steps_under_seeds(ulong seed, int quanta, string expected) =>
        Assert.That(Steps(Seeded(seed) with { Quanta = quanta }), Is.EqualTo(expected));

    [TestCase(0UL, "Start1 Spawn2 Start2 Spawn3 s0 Spawn4 StillHasChildren2 | StillHasChildrenException")]
    [TestCase(1UL, "Start1 Spawn2 Start2 Spawn4 StillHasChildren2 | StillHasChildrenException")]
    [TestCase(2UL, "Start1 Spawn2 Spawn3 s0 Start2 Spawn5 StillHasChildren2 | StillHasChildrenException")]
    public void A_fatal_error_during_a_spawn_stops_the_run_as_before(ulong seed, string expected) =>
        Assert.That(Fatal(seed == 0 ? Fifo : Seeded(seed)), Is.EqualTo(expected));

    [TestCase(0UL, "Start1@0 Spawn2@2 Start2@3 Spawn3@6 Spawn4@7 Start3@8 Start4@10 Await1@13 Await2@15 Done4@19 Resume2@19 m1@21 Spawn5@25 Start5@27 Done3@29 Resume1@29 Await2@31 Cancel1@36 Cancelled2@37 Done2@37 Cancelled5@38 Done5@38 Resume1@38 Cancel1@41 CancelledException@43 Done1@43")]
    [TestCase(1UL, "Start1@0 Spawn2@2 Start2@3 Spawn4@6 Start4@7 Spawn3@10 Start3@11 Done4@13 m1@14 Spawn5@16 Start5@19 Await1@23 Await2@27 Done3@42 Resume1@42 Cancel1@48 Cancelled2@49 Done2@49 Cancelled5@50 Done5@50 Resume1@50 Cancel1@53 CancelledException@55 Done1@55")]
    [TestCase(2UL, "Start1@0 Spawn2@2 Spawn3@4 Start2@5 Spawn4@7 Start3@9 Await1@11 Start4@12 Await2@14 Done4@19 Resume2@19 m1@20 Spawn5@22 Await2@25 Start5@27 Done3@36 Resume1@36 Cancel1@42 Cancelled2@43 Done2@43 Cancelled5@44 Done5@44 Resume1@44 Cancel1@46 CancelledException@49 Done1@49")]
    [TestCase(3UL, "Start1@0 Spawn2@2 Start2@4 Spawn3@5 Spawn4@7 Await2@9 Start4@11 Await1@13 Start3@14 Done4@19 Resume2@19 m1@20 Spawn5@23 Start5@26 Await2@29 Done3@30 Resume1@30 Cancel1@34 Cancelled2@35 Done2@35 Cancelled5@36 Done5@36 Resume1@36 Cancel1@38 CancelledException@40 Done1@40")]
    public void Awaits_of_running_children_park_and_wake_and_are_cancelled_as_before(ulong seed, string expected) =>
        Assert.That(Parked(seed == 0 ? Fifo : Seeded(seed)), Is.EqualTo(expected));

    private static string Parked(RunOptions options)
    {
        var log = new List<string>();
        var step = 0;
        Fiber.Run(async () =>
        {
            await Hook.AddAsync(() => step++);
            var middle = await Fiber.SpawnAsync(async () =>
            {
                var slow = await Fiber.SpawnAsync(async () =>
                {
                    for (var i = 0; i < 3; i++)
                    {
                        await Fiber.YieldAsync();
                    }
                });
                await Fiber.AwaitAsync(slow); // parks until slow ends
                log.Add($"m1@{step}");
                var endless = await Fiber.SpawnAsync(async () =>
                {
                    while (true)
                    {
                        await Fiber.YieldAsync();
                    }
                });
                await Fiber.AwaitAsync(endless); // parked when the root cancels it
                log.Add("never");
            });
            var sibling = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 8; i++)
                {
                    await Fiber.YieldAsync();
                }
            });
            await Fiber.AwaitAsync(sibling);
            await Fiber.CancelAsync(middle);
            log.Add($"{(await Fiber.AwaitResultAsync(middle)).Error?.GetType().Name}@{step}");
        }, options with { Trace = t => log.Add($"{t.Kind}{t.PromiseId}@{step}") });
        return string.Join(" ", log);
    }

    private static string Steps(RunOptions options)
    {
        var log = new List<string>();
        var step = 0;
        Fiber.Run(async () =>
        {
            await Hook.AddAsync(() => step++);
            var yielder = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 6; i++)
                {
                    log.Add($"y{i}@{step}");
                    await Fiber.YieldAsync();
                }
            });
            var canceller = await Fiber.SpawnAsync(async () =>
            {
                var victim = await Fiber.SpawnAsync(Bodies.Infinite);
                log.Add($"c@{step}");
                await Fiber.CancelAsync(victim);
                log.Add($"c'@{step}");
            });
            var children = new List<Promise>();
            for (var i = 0; i < 6; i++)
            {
                children.Add(await Fiber.SpawnAsync(async () => { }));
                log.Add($"s{i}@{step}");
            }

            var valued = await Fiber.SpawnAsync(static async () => 7);
            log.Add($"v{await Fiber.AwaitAsync(valued)}@{step}");
            foreach (var child in children)
            {
                await Fiber.AwaitAsync(child);
            }

            await Fiber.AwaitAsync(canceller);
            await Fiber.AwaitAsync(yielder);
            log.Add($"end@{step}");
        }, options with { Trace = t => log.Add($"{t.Kind}{t.PromiseId}@{step}") });
        return string.Join(" ", log);
    }

    private static string Fatal(RunOptions options)
    {
        var log = new List<string>();
        var error = Assert.Catch(() => Fiber.Run(async () =>
        {
            var leaky = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.SpawnAsync(async () => await Fiber.YieldAsync()); // left behind: rule 1, fatal
            });
            for (var i = 0; i < 4; i++)
            {
                await Fiber.SpawnAsync(async () => { });
                log.Add($"s{i}");
            }

            await Fiber.AwaitAsync(leaky);
        }, options with { Trace = t => log.Add($"{t.Kind}{t.PromiseId}") }));
        return $"{string.Join(" ", log)} | {error!.GetType().Name}";
    }
}
