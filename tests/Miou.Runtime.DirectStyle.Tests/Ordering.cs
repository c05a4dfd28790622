namespace Miou.DirectStyle.Tests;

/// <summary>Order of execution (spec §8, FIFO policy): C1, C10, C38, written as [Fiber] methods.</summary>
public partial class Ordering
{
    private readonly List<string> _log = [];

    [SetUp]
    public void Reset() => _log.Clear();

    [Fiber]
    private void C01Main()
    {
        var p = Fiber.Async(() => _log.Add("Hello"));
        _log.Add("World");
        Fiber.Await(p);
    }

    [Test]
    public void C01_order_of_execution()
    {
        Fiber.Run(C01Main, Fifo);
        Assert.That(_log, Is.EqualTo(new[] { "World", "Hello" }));
    }

    [Fiber]
    private void C10Main()
    {
        var p = Fiber.Async(() => _log.Add("Hello"));
        Fiber.Yield();
        _log.Add("World");
        Fiber.Await(p);
    }

    [Test]
    public void C10_order_with_yield()
    {
        Fiber.Run(C10Main, Fifo);
        Assert.That(_log, Is.EqualTo(new[] { "Hello", "World" }));
    }

    [Fiber]
    private void C38Main()
    {
        var h1 = Hook.Add(() => _log.Add("h1"));
        var h2 = Hook.Add(() =>
        {
            _log.Add("h2");
            throw new Failure("h2");
        });
        Fiber.Yield();
        h2.Remove(); // already removed because it threw: a no-op
        h1.Remove();
    }

    [Test]
    public void C38_hooks()
    {
        var unobserved = new List<Exception>();
        Fiber.Run(C38Main, Fifo with { OnUnobservedError = (_, e) => unobserved.Add(e) });
        Assert.That(string.Join(" ", _log), Is.EqualTo("h1 h2 h1 h1 h1"));
        Assert.That(unobserved, Has.Count.EqualTo(1));
        Assert.That(unobserved[0], Is.TypeOf<Failure>().With.Message.EqualTo("h2"));
    }
}
