namespace Miou.Tests.Domains;

public class ScratchDomains
{
    static readonly RunOptions Three = new() { Domains = 3 };

    static async Fiber Infinite() { while (true) await Fiber.YieldAsync(); }

    [Test]
    public void C04() => Fiber.Run(async () => { var p = await Fiber.CallAsync(async () => { }); await Fiber.AwaitAsync(p); }, Three);

    [Test]
    public void C07()
    {
        for (var i = 0; i < 50; i++)
            Fiber.Run(async () =>
            {
                var p = await Fiber.CallAsync(async () => { });
                await Fiber.CancelAsync(p);
                var r = await Fiber.AwaitResultAsync(p);
                Assert.That(r.Error, Is.TypeOf<CancelledException>());
            }, Three with { Seed = (ulong)i });
    }

    [Test]
    public void C09() => Fiber.Run(async () =>
    {
        var p = await Fiber.CallAsync(async () =>
        {
            var a = await Fiber.SpawnAsync(Infinite);
            var b = await Fiber.SpawnAsync(Infinite);
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        });
        await Fiber.CancelAsync(p);
    }, Three);

    [Test]
    public void C19() => Assert.Throws<NoDomainAvailableException>(() => Fiber.Run(async () =>
    {
        var p = await Fiber.CallAsync(async () => { var q = await Fiber.CallAsync(async () => { }); await Fiber.AwaitAsync(q); });
        await Fiber.AwaitAsync(p);
    }, new RunOptions { Domains = 1 }));

    [Test]
    public void C20() => Fiber.Run(async () =>
    {
        var p = await Fiber.CallAsync(async () => { await Fiber.CallAsync(Infinite); throw new InvalidOperationException("foo"); });
        var r = await Fiber.AwaitResultAsync(p);
        Assert.That(r.Error!.Message, Is.EqualTo("foo"));
    }, Three);

    [Test]
    public void C30()
    {
        for (var i = 0; i < 11; i++)
            Fiber.Run(async () =>
            {
                var s = 0;
                var p = await Fiber.CallAsync(async () => { Interlocked.Increment(ref s); try { await Infinite(); } finally { Interlocked.Decrement(ref s); } });
                await Fiber.CancelAsync(p);
                Assert.That(Volatile.Read(ref s), Is.EqualTo(0));
            }, Three);
    }

    [Test]
    public void C34() => Fiber.Run(async () => { var p = await Fiber.CallAsync(Infinite); await Fiber.CancelAsync(p); }, new RunOptions { Domains = 1 });

    [Test]
    public void C42() => Fiber.Run(async () =>
    {
        var p0 = await Fiber.SpawnAsync(Infinite);
        var p1 = await Fiber.CallAsync(async () => await Fiber.YieldAsync());
        await Fiber.AwaitAsync(p1);
        await Fiber.CancelAsync(p0);
    }, Three);

    [Test]
    public void C16()
    {
        for (var i = 0; i < 30; i++)
        {
            var (v, u) = Fiber.Run(async () =>
            {
                var p = await Fiber.CallAsync(async () =>
                {
                    var v = await Domain.SelfAsync();
                    var q = await Fiber.CallAsync(async () => await Domain.SelfAsync());
                    return (v, await Fiber.AwaitAsync(q));
                });
                return await Fiber.AwaitAsync(p);
            }, Three);
            Assert.That(v, Is.Not.EqualTo(u));
            Assert.That(v.Uid, Is.Not.Zero);
        }
    }

    [Test]
    public void Parallel3()
    {
        var r = Fiber.Run(async () => await Fiber.ParallelAsync(async (int x) => x * 2, new[] { 1, 2, 3, 4 }), Three);
        Assert.That(r.Select(x => x.Value), Is.EqualTo(new[] { 2, 4, 6, 8 }));
    }

    [Test]
    public void RunAsTaskWorks() => Assert.That(Fiber.RunAsTask(async () => { var p = await Fiber.CallAsync(async () => 7); return await Fiber.AwaitAsync(p); }, Three).Result, Is.EqualTo(7));

    [Test]
    public void AwaitTaskOnThreadPool() => Assert.That(Fiber.Run(async () => await Fiber.AwaitTaskAsync(Task.Run(async () => { await Task.Delay(20); return 5; }))), Is.EqualTo(5));
}
