namespace Miou.DirectStyle.Tests;

/// <summary>Order of execution (spec §8, FIFO policy): C1, C10.</summary>
public partial class Ordering
{
    private static readonly RunOptions Fifo = new() { Policy = SchedulingPolicy.Fifo };
    private static List<string> s_log = [];

    [SetUp]
    public void Reset() => s_log = [];

    [Fiber]
    private static void C1Main()
    {
        var p = Fiber.Async(() => s_log.Add("Hello"));
        s_log.Add("World");
        Fiber.Await(p);
    }

    [Test]
    public void C1_order_of_execution()
    {
        Fiber.Run(C1Main, Fifo);
        Assert.That(s_log, Is.EqualTo(new[] { "World", "Hello" }));
    }

    [Fiber]
    private static void C10Main()
    {
        var p = Fiber.Async(() => s_log.Add("Hello"));
        Fiber.Yield();
        s_log.Add("World");
        Fiber.Await(p);
    }

    [Test]
    public void C10_order_with_yield()
    {
        Fiber.Run(C10Main, Fifo);
        Assert.That(s_log, Is.EqualTo(new[] { "Hello", "World" }));
    }
}
