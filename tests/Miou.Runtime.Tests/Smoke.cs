namespace Miou.Tests;

public class Smoke
{
    static readonly RunOptions Fifo = new() { Policy = SchedulingPolicy.Fifo };

    [Test]
    public void C1()
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => log.Add("Hello"));
            log.Add("World");
            await Fiber.AwaitAsync(p);
        }, Fifo);
        Assert.That(log, Is.EqualTo(new[] { "World", "Hello" }));
    }

    [Test]
    public void C10()
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => log.Add("Hello"));
            await Fiber.YieldAsync();
            log.Add("World");
            await Fiber.AwaitAsync(p);
        }, Fifo);
        Assert.That(log, Is.EqualTo(new[] { "Hello", "World" }));
    }

    [Test]
    public void C2()
    {
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () => { await Fiber.SpawnAsync(async () => { }); }));
        TestContext.Out.WriteLine(e!.Message);
    }

    [Test]
    public void CancelInfinite()
    {
        int finallies = 0;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                try { while (true) await Fiber.YieldAsync(); }
                finally { finallies++; }
            });
            await Fiber.YieldAsync();
            await Fiber.CancelAsync(p);
            Assert.That(finallies, Is.EqualTo(1));
            var r = await Fiber.AwaitResultAsync(p);
            Assert.That(r.Error, Is.TypeOf<CancelledException>());
        });
        Assert.That(finallies, Is.EqualTo(1));
    }

    [Test]
    public void ValueAndNested()
    {
        static async Fiber<int> Work(int n) { await Fiber.YieldAsync(); return n * 2; }
        var v = Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(() => Work(1));
            var b = await Fiber.SpawnAsync(() => Work(2));
            return await Fiber.AwaitAsync(a) + await Fiber.AwaitAsync(b) + await Work(10);
        });
        Assert.That(v, Is.EqualTo(26));
    }

    [Test]
    public void C12()
    {
        var e = Assert.Throws<NotAChildException>(() => Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(async () => { });
            var b = await Fiber.SpawnAsync(async () => await Fiber.AwaitAsync(a));
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        }));
        TestContext.Out.WriteLine(e!.Message);
    }
}
