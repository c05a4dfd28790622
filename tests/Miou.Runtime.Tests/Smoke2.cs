namespace Miou.Tests;

public class Smoke2
{
    static readonly RunOptions Fifo = new() { Policy = SchedulingPolicy.Fifo };

    [Test]
    public void C38()
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var h1 = await Hook.AddAsync(() => log.Add("h1"));
            var h2 = await Hook.AddAsync(() => { log.Add("h2"); throw new Exception("h2"); });
            await Fiber.YieldAsync();
            await h2.RemoveAsync();
            await h1.RemoveAsync();
        }, Fifo with { OnUnobservedError = (_, _) => { } });
        Assert.That(string.Join(" ", log), Is.EqualTo("h1 h2 h1 h1 h1"));
    }

    [Test]
    public void D1()
    {
        var log = new List<string>();
        async Fiber Pr(string s, int n) { if (n >= 0) { await Fiber.YieldAsync(); log.Add(s); await Pr(s, n - 1); } }
        Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(() => Pr("Hello", 1));
            var b = await Fiber.SpawnAsync(() => Pr("World", 1));
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        }, Fifo);
        Assert.That(string.Join(" ", log), Is.EqualTo("Hello Hello World World"));
    }
}
