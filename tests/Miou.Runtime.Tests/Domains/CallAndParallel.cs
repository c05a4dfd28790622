using Miou.Tests.Support;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// <c>Call</c>, <c>Parallel</c> and <c>Domain</c> (spec §1.5, §1.6, §1.11): C4, C5, C11, C16, C18, C19, C21, C40, D4, D15,
/// with three workers as the original suite, and one where the case is about running out of domains.
/// </summary>
public class CallAndParallel
{
    private enum Which
    {
        P0,
        P1,
    }

    [Test]
    public void C04_simple_parallel_task() => ForSeeds(seed => Fiber.Run(async () =>
    {
        var p = await Fiber.CallAsync(Bodies.Nothing);
        await Fiber.AwaitAsync(p);
    }, Three(seed)));

    [Test]
    public void C05_await_one() =>
        // await_one returns one result without cancelling the other, which must then be awaited (else Still_has_children).
        // Both winners must be possible. The original repeats the run 101 times to exercise the start-up and shutdown of 3
        // workers; here at least 24 runs, more until both winners have been seen.
        UntilEveryOutcome(seed => Fiber.Run(async () =>
        {
            var p0 = await Fiber.CallAsync(Bodies.Const(Which.P0));
            var p1 = await Fiber.CallAsync(Bodies.Const(Which.P1));
            var first = (await Fiber.AwaitOneAsync(p0, p1)).ValueOrThrow();
            var other = first == Which.P0 ? p1 : p0;
            Assert.That(await Fiber.AwaitAsync(other), Is.Not.EqualTo(first), "the other child is still there, with its own value");
            return first;
        }, Three(seed)), [Which.P0, Which.P1], maxRuns: 101, minRuns: 24);

    [Test]
    public void C11_await_first_picks_among_finished_tasks() =>
        // Both outcomes must be possible; the loser is cancelled, so no Still_has_children.
        UntilEveryOutcome(seed => Fiber.Run(async () =>
        {
            var a = await Fiber.CallAsync(Bodies.Const(0));
            var b = await Fiber.CallAsync(Bodies.Const(1));
            return (await Fiber.AwaitFirstAsync(a, b)).ValueOrThrow();
        }, Three(seed)), [0, 1]);

    [Test]
    public void C16_nested_call_runs_on_a_different_domain() => ForSeeds(seed =>
    {
        // The original repeats the run 101 times; here each run makes 16 nested calls, concurrently.
        var pairs = Fiber.Run(async () =>
        {
            var outer = new List<Promise<(Domain, Domain)>>();
            for (var i = 0; i < 16; i++)
            {
                outer.Add(await Fiber.CallAsync(async () =>
                {
                    var v = await Domain.SelfAsync();
                    var q = await Fiber.CallAsync(Domain.SelfAsync);
                    return (v, await Fiber.AwaitAsync(q));
                }));
            }

            var pairs = new List<(Domain, Domain)>();
            foreach (var p in outer)
            {
                pairs.Add(await Fiber.AwaitAsync(p));
            }

            return pairs;
        }, Three(seed));

        foreach (var (v, u) in pairs)
        {
            Assert.That(v, Is.Not.EqualTo(Domain.Dom0), "Call never runs its child on dom0");
            Assert.That(u, Is.Not.EqualTo(Domain.Dom0), "Call never runs its child on dom0");
            Assert.That(u, Is.Not.EqualTo(v), "Call from a worker never targets the caller's domain");
        }
    });

    [Test]
    public void C18_await_one_and_await_first_on_a_duplicated_promise() => ForSeeds(seed => Fiber.Run(async () =>
    {
        // Duplicates are allowed; await_first must not cancel the winner because it appears twice; p ends consumed.
        var p = await Fiber.CallAsync(Bodies.Const(18));
        Assert.That((await Fiber.AwaitOneAsync(p, p)).ValueOrThrow(), Is.EqualTo(18));
        Assert.That((await Fiber.AwaitFirstAsync(p, p)).ValueOrThrow(), Is.EqualTo(18));
    }, Three(seed)));

    [Test]
    public void C19_no_domain_available_from_the_only_worker() => ForSeeds(seed =>
    {
        // The outer call runs on the single worker, whose own call may target neither dom0 nor itself.
        var outerStarted = false;
        Assert.Throws<NoDomainAvailableException>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                outerStarted = true;
                var q = await Fiber.CallAsync(Bodies.Nothing);
                await Fiber.AwaitAsync(q);
            });
            await Fiber.AwaitAsync(p);
        }, One(seed)));
        Assert.That(outerStarted, Is.True, "the call from dom0 works: only the one from the worker has no domain");
    });

    [Test]
    public void Parallel_from_the_only_worker_has_no_domain_even_for_no_element() => ForSeeds(seed =>
    {
        // Spec §1.6: the candidates are the workers minus the caller's domain; empty → No_domain_available, even for [].
        var result = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () => (await Fiber.ParallelAsync(async (int x) => x, Array.Empty<int>())).Length);
            return await Fiber.AwaitResultAsync(p);
        }, One(seed));
        Assert.That(result.Error, Is.TypeOf<NoDomainAvailableException>());
    });

    [Test]
    public void C21_domain_self_identifies_the_thread_running_the_task() => ForSeeds(seed =>
    {
        // The original compares Domain.self with the OCaml domain id. Ours is Miou's own numbering: a child pinned to
        // domain k reports Self = k, and the pairs (Self, thread) seen during a run form a one-to-one map, dom0 being the
        // thread that called Run. The thread is read both before and after a suspension: a task stays on its domain.
        var caller = DomainRuns.ThreadMarker();
        var seen = Fiber.Run(async () =>
        {
            var seen = new List<(Domain Expected, Domain Self, int Before, int After)>();
            var before = DomainRuns.ThreadMarker();
            seen.Add((Domain.Dom0, await Domain.SelfAsync(), before, DomainRuns.ThreadMarker()));
            var children = new List<(Domain, Promise<(Domain, int, int)>)>();
            for (var round = 0; round < 4; round++)
            {
                for (var k = 1; k <= 3; k++)
                {
                    children.Add((new Domain(k), await Fiber.CallAsync(Observe, pin: new Domain(k))));
                }
            }

            foreach (var (expected, child) in children)
            {
                var (self, b, a) = await Fiber.AwaitAsync(child);
                seen.Add((expected, self, b, a));
            }

            // A worker pinning a grandchild on another worker: the same map holds.
            var nested = await Fiber.CallAsync(async () =>
            {
                var here = await Domain.SelfAsync();
                var target = new Domain(here.Uid % 3 + 1);
                var q = await Fiber.CallAsync(Observe, pin: target);
                return (target, await Fiber.AwaitAsync(q));
            }, pin: new Domain(1));
            var (target, (s, nb, na)) = await Fiber.AwaitAsync(nested);
            seen.Add((target, s, nb, na));
            return seen;

            static async Fiber<(Domain, int, int)> Observe()
            {
                var b = DomainRuns.ThreadMarker();
                var self = await Domain.SelfAsync();
                await Fiber.YieldAsync();
                return (self, b, DomainRuns.ThreadMarker());
            }
        }, Three(seed));

        DomainRuns.AssertOneThreadPerDomain(seen, caller);
    });

    [Test]
    public void C40_lazy_forced_from_two_domains() =>
        // Both winners must be observable; the computation runs once, and every forcer that got a value got 42. The
        // computation yields a few times, so the other forcer usually finds it running and parks until it is done.
        UntilEveryOutcome(seed =>
        {
            var evaluations = 0;
            var seen = new int[2];
            var winner = Fiber.Run(async () =>
            {
                var v = FiberLazy<int>.FromFiber(async () =>
                {
                    Interlocked.Increment(ref evaluations);
                    for (var i = 0; i < 3; i++)
                    {
                        await Fiber.YieldAsync();
                    }

                    return 42;
                });
                var p0 = await Fiber.CallAsync(async () => (Which.P0, seen[0] = await v.ForceAsync()));
                var p1 = await Fiber.CallAsync(async () => (Which.P1, seen[1] = await v.ForceAsync()));
                var (which, value) = (await Fiber.AwaitFirstAsync(p0, p1)).ValueOrThrow();
                Assert.That(value, Is.EqualTo(42));
                return which;
            }, Three(seed));
            Assert.That(evaluations, Is.EqualTo(1), "the lazy computation runs once");
            Assert.That(seen, Is.All.EqualTo(0).Or.EqualTo(42), "a forcer that was not cancelled first saw 42");
            return winner;
        }, [Which.P0, Which.P1]);

    [Test]
    public void D04_nested_calls_run_on_distinct_workers() => ForSeeds(seed =>
    {
        // miou.mli Rule 6 / call: nested calls return domain uids other than 0 and different from each other.
        var (outer, inner, innermost) = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                var q = await Fiber.CallAsync(async () =>
                {
                    var r = await Fiber.CallAsync(Domain.SelfAsync);
                    return (await Domain.SelfAsync(), await Fiber.AwaitAsync(r));
                });
                var (b, c) = await Fiber.AwaitAsync(q);
                return (await Domain.SelfAsync(), b, c);
            });
            return await Fiber.AwaitAsync(p);
        }, Three(seed));
        Assert.That(new[] { outer, inner, innermost }, Has.None.EqualTo(Domain.Dom0));
        Assert.That(inner, Is.Not.EqualTo(outer));
        Assert.That(innermost, Is.Not.EqualTo(inner));
    });

    [Test]
    public void D04_sibling_calls_may_land_on_the_same_domain() => ForSeeds(seed =>
    {
        // The book's "loop until equal" terminates: two sibling calls from dom0 may run on the same worker.
        var tries = Fiber.Run(async () =>
        {
            for (var i = 1; i <= 200; i++)
            {
                var a = await Fiber.CallAsync(Domain.SelfAsync);
                var b = await Fiber.CallAsync(Domain.SelfAsync);
                if (await Fiber.AwaitAsync(a) == await Fiber.AwaitAsync(b))
                {
                    return i;
                }
            }

            return -1;
        }, Three(seed));
        Assert.That(tries, Is.Positive, "200 pairs of sibling calls never landed on the same worker");
    }, count: 4);

    [Test]
    public void D15_parallel_domain_self_returns_every_worker() => ForSeeds(seed =>
    {
        // The book: parallel (fun () -> Domain.self ()) [(); (); ()] returns three distinct worker ids (in no particular
        // order: the doc's [1; 2; 3] is one possible order); with an extra async on dom0, 0 is among them too.
        var (workers, mixed) = Fiber.Run(async () =>
        {
            var workers = await Fiber.ParallelAsync(async (int _) => await Domain.SelfAsync(), [0, 0, 0]);
            var onDom0 = await Fiber.SpawnAsync(Domain.SelfAsync);
            var others = await Fiber.ParallelAsync(async (int _) => await Domain.SelfAsync(), [0, 0, 0]);
            var mixed = others.Select(r => r.ValueOrThrow()).Append(await Fiber.AwaitAsync(onDom0)).ToList();
            return (workers.Select(r => r.ValueOrThrow()).ToList(), mixed);
        }, Three(seed));
        Assert.That(workers, Is.EquivalentTo(new[] { new Domain(1), new Domain(2), new Domain(3) }));
        Assert.That(mixed, Is.EquivalentTo(new[] { Domain.Dom0, new Domain(1), new Domain(2), new Domain(3) }));
    });

    [Test]
    public void Parallel_returns_a_result_per_element_in_order() => ForSeeds(seed =>
    {
        // Spec §1.6: fork-join, one outcome per element in the order of the elements, failures as values; element i runs on
        // candidate i mod n, so elements 3 apart share a worker and 3 consecutive ones do not.
        var (results, domains, count) = Fiber.Run(async () =>
        {
            var domains = new Domain[7];
            var results = await Fiber.ParallelAsync(async (int x) =>
            {
                domains[x - 1] = await Domain.SelfAsync();
                await Fiber.YieldAsync();
                return x == 4 ? throw new Failure("four") : x * 2;
            }, [1, 2, 3, 4, 5, 6, 7]);
            return (results, domains, await Domain.AvailableAsync());
        }, Three(seed));

        Assert.That(count, Is.EqualTo(3));
        Assert.That(results.Where((_, i) => i != 3).Select(r => r.ValueOrThrow()), Is.EqualTo(new[] { 2, 4, 6, 10, 12, 14 }));
        Assert.That(results[3].Error, Is.TypeOf<Failure>().With.Message.EqualTo("four"));
        Assert.That(domains, Has.None.EqualTo(Domain.Dom0));
        Assert.That(domains.Take(3).Distinct().Count(), Is.EqualTo(3), "round robin over the three workers");
        for (var i = 3; i < domains.Length; i++)
        {
            Assert.That(domains[i], Is.EqualTo(domains[i - 3]), $"element {i + 1} runs where element {i - 2} ran");
        }
    });

    [Test]
    public void Parallel_from_a_worker_uses_the_other_workers() => ForSeeds(seed =>
    {
        var (caller, domains, all) = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                var results = await Fiber.ParallelAsync(async (int _) => await Domain.SelfAsync(), [0, 0, 0, 0]);
                return (await Domain.SelfAsync(), results.Select(r => r.ValueOrThrow()).ToList());
            });
            var (caller, domains) = await Fiber.AwaitAsync(p);
            return (caller, domains, await Domain.AllAsync());
        }, Three(seed));
        Assert.That(all, Is.EquivalentTo(new[] { new Domain(1), new Domain(2), new Domain(3) }), "Domain.All: the workers, dom0 excluded");
        Assert.That(domains, Has.None.EqualTo(Domain.Dom0).And.None.EqualTo(caller));
        Assert.That(domains.Distinct().Count(), Is.EqualTo(2), "both other workers are used");
    });
}
