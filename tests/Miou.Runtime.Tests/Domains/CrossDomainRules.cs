using System.Collections.Concurrent;
using Miou.Tests.Support;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// Miou's rules and errors across domains (spec §2, §6.7, §8.9): C13, C39, and a fatal rule broken on a worker, which
/// stops the whole run: <c>Fiber.Run</c> throws it once every worker has been joined.
/// </summary>
public class CrossDomainRules
{
    private enum Placement
    {
        SameDomain,
        OtherDomains,
    }

    [Test]
    public void C13_no_value_passing_except_parent_child_across_domains() =>
        // b awaits a's child, which a published in a shared cell: Not_a_child, raised in b and rethrown by the root's await.
        // It must hold whether a and b share a worker or not: the loop goes on until both placements have been seen.
        UntilEveryOutcome(seed =>
        {
            Promise? cell = null;
            var (domainOfA, domainOfB) = (Domain.Dom0, Domain.Dom0);
            Assert.Throws<NotAChildException>(() => Fiber.Run(async () =>
            {
                var a = await Fiber.CallAsync(async () =>
                {
                    domainOfA = await Domain.SelfAsync();
                    var c = await Fiber.SpawnAsync(Bodies.Nothing);
                    Volatile.Write(ref cell, c);
                    await Fiber.AwaitAsync(c);
                });
                var b = await Fiber.CallAsync(async () =>
                {
                    domainOfB = await Domain.SelfAsync();
                    Promise? p;
                    while ((p = Volatile.Read(ref cell)) is null)
                    {
                        await Fiber.YieldAsync();
                    }

                    await Fiber.AwaitAsync(p);
                });
                await Fiber.AwaitAsync(a);
                await Fiber.AwaitAsync(b);
            }, Three(seed)));
            return domainOfA == domainOfB ? Placement.SameDomain : Placement.OtherDomains;
        }, [Placement.SameDomain, Placement.OtherDomains]);

    [Test]
    public void C39_removing_a_hook_from_another_domain() => ForSeeds(seed =>
    {
        // The original raises Invalid_argument (ArgumentException here, as every Invalid_argument of spec §2.5), in the task
        // that tried; the root, on the hook's own domain, may remove it.
        var result = Fiber.Run(async () =>
        {
            var h = await Hook.AddAsync(() => { });
            var p = await Fiber.CallAsync(async () => await h.RemoveAsync());
            var result = await Fiber.AwaitResultAsync(p);
            await h.RemoveAsync();
            return result;
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<ArgumentException>().With.Message.Contains("does not belong"));
    });

    [Test]
    public void Fatal_rule_broken_on_a_worker_stops_the_run_and_joins_every_worker() => ForSeeds(seed =>
    {
        // Workers 2 and 3 run tasks that never end, the root waits on dom0, and a task on worker 1 returns with a child it
        // neither awaited nor cancelled: Still_has_children is fatal, so the run stops and Fiber.Run throws it — after
        // joining every worker thread.
        var threads = new ConcurrentDictionary<Domain, Thread>();
        var caller = Thread.CurrentThread;
        var error = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            threads[await Domain.SelfAsync()] = Thread.CurrentThread;
            var forever = new List<Promise>();
            foreach (var k in new[] { 2, 3 })
            {
                var running = new Trigger();
                forever.Add(await Fiber.CallAsync(async () =>
                {
                    threads[await Domain.SelfAsync()] = Thread.CurrentThread;
                    running.Signal();
                    if (k == 2)
                    {
                        await Bodies.Infinite();
                    }
                    else
                    {
                        await new Trigger().AwaitAsync();
                    }
                }, pin: new Domain(k)));
                await running.AwaitAsync();
            }

            var bad = await Fiber.CallAsync(async () =>
            {
                threads[await Domain.SelfAsync()] = Thread.CurrentThread;
                _ = await Fiber.SpawnAsync(Bodies.Infinite); // rule 1 broken when this body returns
            }, pin: new Domain(1));
            await Fiber.AwaitAsync(bad);
            Assert.Fail("the root went on after a fatal error");
            foreach (var p in forever)
            {
                await Fiber.CancelAsync(p);
            }
        }, Three(seed)));

        Assert.That(error!.Message, Does.Contain("neither awaited nor cancelled"));
        Assert.That(threads.Keys, Is.EquivalentTo(new[] { Domain.Dom0, new Domain(1), new Domain(2), new Domain(3) }));
        Assert.That(threads[Domain.Dom0], Is.SameAs(caller));
        foreach (var k in new[] { 1, 2, 3 })
        {
            Assert.That(threads[new Domain(k)].IsAlive, Is.False, $"worker {k} was joined before Fiber.Run threw");
        }
    });
}
