using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Exact interleavings (tag O): C1, C10, C38, D1, D9, D10; and D21, the same shape under every seed.</summary>
public class Ordering
{
    /// <summary>The shape of C1/C10/D9: <c>p = async (print "Hello"); [yield ();] print "World"; await_exn p</c>.</summary>
    private static List<string> HelloWorld(bool yieldFirst, RunOptions options)
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => log.Add("Hello"));
            if (yieldFirst)
            {
                await Fiber.YieldAsync();
            }

            log.Add("World");
            await Fiber.AwaitAsync(p);
        }, options);
        return log;
    }

    [Test]
    public void C01_order_of_execution() =>
        // The child is queued when the spawn is answered; the parent runs on synchronously until its await.
        Assert.That(HelloWorld(yieldFirst: false, Fifo), Is.EqualTo(new[] { "World", "Hello" }));

    [Test]
    public void C10_order_with_yield() =>
        // yield puts the root behind the child already queued.
        Assert.That(HelloWorld(yieldFirst: true, Fifo), Is.EqualTo(new[] { "Hello", "World" }));

    [Test]
    public void D09_yield_documentation_example()
    {
        // miou.mli, yield: "World Hello" without yield, "Hello World" with it.
        Assert.That(string.Join(" ", HelloWorld(yieldFirst: false, Fifo)), Is.EqualTo("World Hello"));
        Assert.That(string.Join(" ", HelloWorld(yieldFirst: true, Fifo)), Is.EqualTo("Hello World"));
    }

    [Test]
    public void D21_spawner_prints_before_spawned_under_every_seed() =>
        // scheduler.mld's toy scheduler: a task spawns a printer, prints, then awaits; the caller's line comes first. In
        // Miou the parent keeps running after the spawn until its next scheduling point, whatever task the random policy
        // picks afterwards, so this holds for every seed, not only in FIFO order.
        ForSeeds(seed => Assert.That(HelloWorld(yieldFirst: false, Seeded(seed)), Is.EqualTo(new[] { "World", "Hello" })));

    [Test]
    public void C38_hooks()
    {
        var log = new List<string>();
        var unobserved = new List<(string What, Exception Error)>();
        Fiber.Run(async () =>
        {
            var h1 = await Hook.AddAsync(() => log.Add("h1"));
            var h2 = await Hook.AddAsync(() =>
            {
                log.Add("h2");
                throw new Failure("h2");
            });
            await Fiber.YieldAsync();
            await h2.RemoveAsync(); // already removed because it threw: a no-op
            await h1.RemoveAsync();
        }, Fifo with { OnUnobservedError = (what, e) => unobserved.Add((what, e)) });

        // Steps: add h1 | add h2 | h1 ; yield | h2 (throws, removed), h1 ; remove h2 | h1 ; remove h1 | h1 ; return.
        Assert.That(string.Join(" ", log), Is.EqualTo("h1 h2 h1 h1 h1"));
        Assert.That(unobserved, Has.Count.EqualTo(1), "the hook that threw is reported once, then removed");
        Assert.That(unobserved[0].Error, Is.TypeOf<Failure>().With.Message.EqualTo("h2"));
    }

    [Test]
    public void D01_preemption_and_cooperation()
    {
        // miou.mli documents "Hello World Hello World"; the code prints "Hello Hello World World": task 0 runs both of its
        // iterations while the root spends its slots creating task 1 (spec §10 Q27).
        var log = new List<string>();
        async Fiber Pr(string s, int n)
        {
            if (n >= 0)
            {
                await Fiber.YieldAsync();
                log.Add(s);
                await Pr(s, n - 1);
            }
        }

        Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(() => Pr("Hello", 1));
            var b = await Fiber.SpawnAsync(() => Pr("World", 1));
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        }, Fifo);
        Assert.That(string.Join(" ", log), Is.EqualTo("Hello Hello World World"));
    }

    [Test]
    public void D10_hook_runs_at_every_step()
    {
        // miou.mli, Hook.add: a hook printing "Hello" and two yields print "Hello" twice: the hook is registered when the
        // add is answered (step 2), then runs before each of the two following steps.
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            await Hook.AddAsync(() => log.Add("Hello"));
            await Fiber.YieldAsync();
            await Fiber.YieldAsync();
        }, Fifo);
        Assert.That(log, Is.EqualTo(new[] { "Hello", "Hello" }));
    }

    [Test]
    public void Values_flow_through_spawn_await_and_nested_fibers() => ForSeeds(seed =>
    {
        // Not a case of the original suite (kept from the first smoke tests): a nested fiber call runs inline in its
        // caller's task, and children's values come back through await.
        static async Fiber<int> Work(int n)
        {
            await Fiber.YieldAsync();
            return n * 2;
        }

        var v = Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(() => Work(1));
            var b = await Fiber.SpawnAsync(() => Work(2));
            return await Fiber.AwaitAsync(a) + await Fiber.AwaitAsync(b) + await Work(10);
        }, Seeded(seed));
        Assert.That(v, Is.EqualTo(26));
    });
}
