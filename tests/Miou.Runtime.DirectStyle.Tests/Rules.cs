namespace Miou.DirectStyle.Tests;

/// <summary>Miou's rules (spec §2): C2, C3, C8, C12, C14, C15, written as [Fiber] methods.</summary>
public partial class Rules
{
    [Fiber]
    private static void C02Main() => Fiber.Async(() => { });

    [Test]
    public void C02_still_has_children() => ForSeeds(seed =>
    {
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(C02Main, Seeded(seed)));
        Assert.That(e!.Children, Is.EqualTo(new[] { 2 }));
    });

    [Fiber]
    private static (int, int) C03Main()
    {
        var p = Fiber.Async(() => 42);
        var a = Fiber.Await(p);
        var b = Fiber.Await(p); // the stored result, again
        return (a, b);
    }

    [Test]
    public void C03_await_twice() => ForSeeds(seed => Assert.That(Fiber.Run(C03Main, Seeded(seed)), Is.EqualTo((42, 42))));

    [Fiber]
    private static Result<Unit> C08Main()
    {
        var p = Fiber.Async(() =>
        {
            Fiber.Async(() => { }); // never awaited: cancelled when p fails
            Fiber.Yield();
            throw new Failure("t08");
        });
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void C08_forgetting_children_is_allowed_on_abnormal_termination() => ForSeeds(seed =>
        Assert.That(Fiber.Run(C08Main, Seeded(seed)).Error, Is.TypeOf<Failure>().With.Message.EqualTo("t08")));

    [Fiber]
    private static void C12Main()
    {
        var a = Fiber.Async(() => { });
        var b = Fiber.Async(() => Fiber.Await(a)); // a is b's sibling, not its child
        Fiber.Await(a);
        Fiber.Await(b);
    }

    [Test]
    public void C12_await_only_direct_children() => ForSeeds(seed =>
        Assert.Throws<NotAChildException>(() => Fiber.Run(C12Main, Seeded(seed))));

    [Fiber]
    private static void C14Main() => Fiber.Await(Fiber.Call(() => { }));

    [Test]
    public void C14_no_domain_available_with_0_workers() =>
        Assert.Throws<NoDomainAvailableException>(() => Fiber.Run(C14Main, NoWorkers));

    [Fiber]
    private static void C15Main()
    {
        var p0 = Fiber.Async(() => Fiber.Async(() => { }));
        var p1 = Fiber.Await(p0);
        Fiber.Await(p1);
    }

    [Test]
    public void C15_returning_a_childs_promise() => ForSeeds(seed =>
        Assert.Throws<StillHasChildrenException>(() => Fiber.Run(C15Main, Seeded(seed))));
}
