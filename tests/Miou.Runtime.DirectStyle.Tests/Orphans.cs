namespace Miou.DirectStyle.Tests;

/// <summary>Orphans (spec §2.4): C41, C45, C46, C47, C48, written as [Fiber] methods.</summary>
public partial class OrphansCases
{
    // C41 (= D17): as in the original, the program is itself a Fiber.Run nested in another one. Inside, the root (#1) owns
    // o once it spawns p (#2) into it; p spawning q into o throws in p after q is spawned; p fails, q is cancelled, and
    // the error crosses both runs.
    [Fiber]
    private static void C41Inner()
    {
        var o = new Orphans<Unit>();
        var p = Fiber.Async(() =>
        {
            var q = Fiber.Async(() => { }, orphans: o);
            Fiber.Await(q);
        }, orphans: o);
        Fiber.Await(p);
    }

    [Fiber]
    private static void C41Program(ulong seed) => Fiber.Run(C41Inner, Seeded(seed));

    [Test]
    public void C41_orphans_owned_by_another_promise() => ForSeeds(seed =>
    {
        var e = Assert.Throws<ArgumentException>(() => Fiber.Run(C41Program, seed, Seeded(seed)));
        Assert.That(e!.Message, Does.StartWith("The given orphans is owned by another promise"));
        Assert.That(e.Message, Does.Contain("task #2"), "names the task that used a collection it does not own");
        Assert.That(e.Message, Does.Contain("root task #1"), "names the owner");
    });

    [Fiber]
    private static (bool EmptyGet, int Before, List<int> Oks, List<Exception> Errors, int After) C46Child()
    {
        var o = new Orphans<int>();
        var empty = o.Get() is null;
        Fiber.Async(() => 1, orphans: o);
        Fiber.Async(() => 2, orphans: o);
        Fiber.Async(() => throw new Failure("t46"), orphans: o);
        var before = o.Count;
        var (oks, errors) = (new List<int>(), new List<Exception>());
        while (o.Get() is { } result)
        {
            if (result.IsOk)
            {
                oks.Add(result.Value);
            }
            else
            {
                errors.Add(result.Error);
            }
        }

        return (empty, before, oks, errors, o.Count); // get consumed every member: no await needed
    }

    [Fiber]
    private static (bool, int, List<int>, List<Exception>, int) C46Main() => Fiber.Await(Fiber.Async(C46Child));

    [Test]
    public void C46_get() => ForSeeds(seed =>
    {
        var (emptyGet, before, oks, errors, after) = Fiber.Run(C46Main, Seeded(seed));
        Assert.That(emptyGet, Is.True, "get on an empty collection");
        Assert.That(before, Is.EqualTo(3));
        Assert.That(oks, Is.EquivalentTo(new[] { 1, 2 }));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Is.TypeOf<Failure>().With.Message.EqualTo("t46"));
        Assert.That(after, Is.Zero);
    });

    // C47: ids: the root (#1) owns o once it spawns p (#2) into it; bad is #3.
    [Fiber]
    private static (string? Error, int Value, Result<int>? Again, int Left) C47Main()
    {
        var o = new Orphans<int>();
        var p = Fiber.Async(() => 42, orphans: o);
        var bad = Fiber.Async<string?>(() =>
        {
            try
            {
                o.Get();
                return null;
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
        });
        var error = Fiber.Await(bad);
        var value = Fiber.Await(p);
        var again = o.Get(); // await does not remove p from the collection: get returns it again
        return (error, value, again, o.Count);
    }

    [Test]
    public void C47_get_by_a_non_owner() => ForSeeds(seed =>
    {
        var (error, value, again, left) = Fiber.Run(C47Main, Seeded(seed));
        Assert.That(error, Does.StartWith("The given orphans is owned by another promise").And.Contain("task #3"));
        Assert.That(value, Is.EqualTo(42));
        Assert.That(again, Is.Not.Null);
        Assert.That(again!.Value.Value, Is.EqualTo(42));
        Assert.That(left, Is.Zero);
    });

    [Fiber]
    private static Result<Unit> C48Main()
    {
        var blocker = Fiber.Async(() =>
        {
            var o = new Orphans<Unit>();
            Fiber.Async(() => { while (true) Fiber.Yield(); }, orphans: o);
            o.Get();
        });
        Fiber.Yield();
        Fiber.Cancel(blocker);
        return Fiber.AwaitResult(blocker);
    }

    [Test]
    public void C48_cancel_a_task_blocked_in_get() => ForSeeds(seed =>
        Assert.That(Fiber.Run(C48Main, Seeded(seed)).Error, Is.TypeOf<CancelledException>()));

    // C45: take returns every orphan whatever its state, newest first (spec §10 Q3); cancelling each consumes it, finished
    // or not. The sleeps are drawn from the seed, as the original draws them from Random.
    [Fiber]
    private static (List<int> Spawned, List<int> Taken, int Left) C45Child(VirtualClock clock, Random durations)
    {
        var o = new Orphans<Unit>();
        var spawned = new List<int>();
        for (var i = 0; i < 42; i++)
        {
            var ticks = durations.Next(42);
            spawned.Add(Fiber.Async(() => clock.Nap(ticks), orphans: o).Id);
        }

        var taken = new List<Promise<Unit>>();
        while (o.Take() is { } orphan)
        {
            taken.Add(orphan);
        }

        foreach (var orphan in taken)
        {
            Fiber.Cancel(orphan);
        }

        return (spawned, taken.Select(x => x.Id).ToList(), o.Count);
    }

    [Fiber]
    private static (List<int>, List<int>, int) C45Main(VirtualClock clock, Random durations) =>
        Fiber.Await(Fiber.Async(() => C45Child(clock, durations)));

    [Test]
    public void C45_take() => ForSeeds(seed =>
    {
        var clock = new VirtualClock();
        var (spawned, taken, left) = Fiber.Run(C45Main, clock, new Random((int)seed), clock.Options(Seeded(seed)));
        Assert.That(spawned, Has.Count.EqualTo(42));
        Assert.That(taken, Is.EqualTo(Enumerable.Reverse(spawned)), "every orphan, newest first");
        Assert.That(left, Is.Zero);
    });
}
