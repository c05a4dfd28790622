namespace Miou.DirectStyle.Tests;

/// <summary>Orphans (spec §2.4): C41, C46, C47, C48, written as [Fiber] methods.</summary>
public partial class OrphansCases
{
    [Fiber]
    private static (bool EmptyGet, int Before, int Oks, int Errors, int After) C46Child()
    {
        var o = new Orphans<int>();
        var empty = o.Get() is null;
        Fiber.Async(() => 1, orphans: o);
        Fiber.Async(() => 2, orphans: o);
        Fiber.Async(() => throw new Failure("t46"), orphans: o);
        var before = o.Count;
        int oks = 0, errors = 0;
        while (o.Get() is { } result)
        {
            if (result.Error is null) oks++;
            else errors++;
        }

        return (empty, before, oks, errors, o.Count);
    }

    [Fiber]
    private static (bool, int, int, int, int) C46Main() => Fiber.Await(Fiber.Async(C46Child));

    [Test]
    public void C46_get() => ForSeeds(seed =>
        Assert.That(Fiber.Run(C46Main, Seeded(seed)), Is.EqualTo((true, 3, 2, 1, 0))));

    [Fiber]
    private static (string? Error, int Value, int Left) C47Main()
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
        o.Get(); // await does not remove p from the collection: get returns it again
        return (error, value, o.Count);
    }

    [Test]
    public void C47_get_by_a_non_owner() => ForSeeds(seed =>
    {
        var (error, value, left) = Fiber.Run(C47Main, Seeded(seed));
        Assert.That(error, Does.StartWith("The given orphans is owned by another promise"));
        Assert.That((value, left), Is.EqualTo((42, 0)));
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
}
