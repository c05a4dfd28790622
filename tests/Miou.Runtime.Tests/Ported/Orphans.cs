using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Orphans (spec §3): C41 (= D17), C45, C46, C47, C48.</summary>
public class Orphans
{
    private const string OwnedByAnother = "The given orphans is owned by another promise";

    [Test]
    public void C41_orphans_owned_by_another_promise() => ForSeeds(seed =>
    {
        // As in the original, the program is itself a Fiber.Run nested in another Fiber.Run. Inside: the root (#1) owns o
        // once it spawns p (#2) into it; p spawning q into o throws in p after q is spawned; p fails, q is cancelled, and
        // the error crosses both runs.
        static void Program(ulong seed) => Fiber.Run(async () =>
        {
            var o = new Orphans<Unit>();
            var p = await Fiber.SpawnAsync(async () =>
            {
                var q = await Fiber.SpawnAsync(Bodies.Nothing, orphans: o);
                await Fiber.AwaitAsync(q);
            }, orphans: o);
            await Fiber.AwaitAsync(p);
        }, Seeded(seed));

        var e = Assert.Throws<ArgumentException>(() => Fiber.Run(async () => Program(seed), Seeded(seed)));
        Assert.That(e!.Message, Does.StartWith(OwnedByAnother));
        Assert.That(e.Message, Does.Contain("task #2"), "names the task that used a collection it does not own");
        Assert.That(e.Message, Does.Contain("root task #1"), "names the owner");
    });

    [Test]
    public void C45_take() => ForSeeds(seed =>
    {
        // take returns every orphan whatever its state, newest first (spec §10 Q3); cancelling each consumes it, finished
        // or not. The sleeps are drawn from the seed, as the original draws them from Random.
        var clock = new VirtualClock();
        var durations = new Random((int)seed);
        var (spawned, taken, left) = Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                var o = new Orphans<Unit>();
                var ids = new List<int>();
                for (var i = 0; i < 42; i++)
                {
                    var ticks = durations.Next(42);
                    ids.Add((await Fiber.SpawnAsync(() => clock.SleepAsync(ticks), orphans: o)).Id);
                }

                var all = new List<Promise>();
                while (await o.TakeAsync() is { } orphan)
                {
                    all.Add(orphan);
                }

                foreach (var orphan in all)
                {
                    await Fiber.CancelAsync(orphan);
                }

                return (ids, all.Select(x => x.Id).ToList(), o.Count);
            });
            return await Fiber.AwaitAsync(p);
        }, clock.Options(Seeded(seed)));
        Assert.That(taken, Is.EqualTo(Enumerable.Reverse(spawned)), "every orphan, newest first");
        Assert.That(left, Is.Zero);
    });

    [Test]
    public void C46_get() => ForSeeds(seed =>
    {
        var (emptyGet, countBefore, oks, errors, countAfter) = Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                var o = new Orphans<int>();
                var empty = await o.GetAsync();
                await Fiber.SpawnAsync(Bodies.Const(1), orphans: o);
                await Fiber.SpawnAsync(Bodies.Const(2), orphans: o);
                await Fiber.SpawnAsync<int>(() => throw new Failure("t46"), orphans: o);
                var before = o.Count;
                var (ok, failed) = (new List<int>(), new List<Exception>());
                while (await o.GetAsync() is { } result)
                {
                    if (result.IsOk)
                    {
                        ok.Add(result.Value);
                    }
                    else
                    {
                        failed.Add(result.Error);
                    }
                }

                return (empty, before, ok, failed, o.Count); // get consumed every member: no await needed
            });
            return await Fiber.AwaitAsync(p);
        }, Seeded(seed));
        Assert.That(emptyGet, Is.Null, "get on an empty collection");
        Assert.That(countBefore, Is.EqualTo(3));
        Assert.That(oks, Is.EquivalentTo(new[] { 1, 2 }));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Is.TypeOf<Failure>().With.Message.EqualTo("t46"));
        Assert.That(countAfter, Is.Zero);
    });

    [Test]
    public void C47_get_by_a_non_owner() => ForSeeds(seed =>
    {
        // Ids: root #1 owns o once it spawns p (#2) into it; bad is #3.
        var (badError, awaited, gotAgain, left) = Fiber.Run(async () =>
        {
            var o = new Orphans<int>();
            var p = await Fiber.SpawnAsync(Bodies.Const(42), orphans: o);
            var bad = await Fiber.SpawnAsync<Exception?>(async () =>
            {
                try
                {
                    await o.GetAsync();
                    return null;
                }
                catch (ArgumentException e)
                {
                    return e;
                }
            });
            var error = await Fiber.AwaitAsync(bad);
            var value = await Fiber.AwaitAsync(p);
            var again = await o.GetAsync(); // await does not remove p from the collection: get returns it again
            return (error, value, again, o.Count);
        }, Seeded(seed));
        Assert.That(badError, Is.Not.Null, "get by a non-owner throws ArgumentException");
        Assert.That(badError!.Message, Does.StartWith(OwnedByAnother).And.Contain("task #3"));
        Assert.That(awaited, Is.EqualTo(42));
        Assert.That(gotAgain, Is.Not.Null);
        Assert.That(gotAgain!.Value.Value, Is.EqualTo(42));
        Assert.That(left, Is.Zero);
    });

    [Test]
    public void C48_cancel_a_task_blocked_in_get() => ForSeeds(seed =>
    {
        var result = Fiber.Run(async () =>
        {
            var blocker = await Fiber.SpawnAsync(async () =>
            {
                var o = new Orphans<Unit>();
                await Fiber.SpawnAsync(Bodies.Infinite, orphans: o);
                await o.GetAsync();
            });
            await Fiber.YieldAsync();
            await Fiber.CancelAsync(blocker);
            return await Fiber.AwaitResultAsync(blocker);
        }, Seeded(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
    });
}
