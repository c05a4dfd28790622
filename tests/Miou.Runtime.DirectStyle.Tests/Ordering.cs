namespace Miou.DirectStyle.Tests;

/// <summary>Order of execution (spec §8, FIFO policy): C1, C10, C38, D1, D9, D10, D21, written as [Fiber] methods.</summary>
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

    [Test]
    public void D09_yield_documentation_example()
    {
        // miou.mli, yield: "World Hello" without yield (C01Main), "Hello World" with it (C10Main).
        Fiber.Run(C01Main, Fifo);
        Assert.That(string.Join(" ", _log), Is.EqualTo("World Hello"));
        _log.Clear();
        Fiber.Run(C10Main, Fifo);
        Assert.That(string.Join(" ", _log), Is.EqualTo("Hello World"));
    }

    [Test]
    public void D21_spawner_prints_before_spawned_under_every_seed() => ForSeeds(seed =>
    {
        // scheduler.mld: the parent keeps running after the spawn until its next scheduling point, whatever the policy.
        _log.Clear();
        Fiber.Run(C01Main, Seeded(seed));
        Assert.That(_log, Is.EqualTo(new[] { "World", "Hello" }));
    });

    // D1, miou.mli "Preemption and cooperation": `pr s n = if n >= 0 then (yield (); print s; pr s (n - 1))`, a
    // recursive local function that suspends.
    [Fiber]
    private void D01Main()
    {
        void Pr(string s, int n)
        {
            if (n >= 0)
            {
                Fiber.Yield();
                _log.Add(s);
                Pr(s, n - 1);
            }
        }

        var a = Fiber.Async(() => Pr("Hello", 1));
        var b = Fiber.Async(() => Pr("World", 1));
        Fiber.Await(a);
        Fiber.Await(b);
    }

    [Test]
    public void D01_preemption_and_cooperation()
    {
        // The doc says "Hello World Hello World"; the code prints "Hello Hello World World" (spec §10 Q27).
        Fiber.Run(D01Main, Fifo);
        Assert.That(string.Join(" ", _log), Is.EqualTo("Hello Hello World World"));
    }

    // D10, miou.mli Hook.add: a hook printing "Hello" and two yields print "Hello" twice.
    [Fiber]
    private void D10Main()
    {
        Hook.Add(() => _log.Add("Hello"));
        Fiber.Yield();
        Fiber.Yield();
    }

    [Test]
    public void D10_hook_runs_at_every_step()
    {
        Fiber.Run(D10Main, Fifo);
        Assert.That(_log, Is.EqualTo(new[] { "Hello", "Hello" }));
    }
}
