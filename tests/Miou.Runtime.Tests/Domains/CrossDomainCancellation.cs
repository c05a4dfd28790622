using Miou.Tests.Support;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// Cancellation and failure across domains (spec §1.9, §2.2, §8.8): C7, C9, C20, C30, C34, C42, D12, D13, D14, and the
/// issue's deep trees, failing workers and 10,000 randomly cancelled calls. <c>Cancel</c> of a child on another domain
/// returns only when that subtree is torn down, so every <c>finally</c> in it has run by then.
/// </summary>
public class CrossDomainCancellation
{
    [Test]
    public void C07_cancel_of_a_parallel_task() => ForSeeds(seed =>
    {
        // Whatever the race (the child ran or not), after cancel the await is Error Cancelled. The number of yields before
        // the cancel varies with the seed, to land on both sides of the race.
        var result = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(Bodies.Nothing);
            for (var i = 0UL; i < seed % 4; i++)
            {
                await Fiber.YieldAsync();
            }

            await Fiber.CancelAsync(p);
            return await Fiber.AwaitResultAsync(p);
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
    }, count: 16);

    [Test]
    public void C09_cancellation_of_a_parallel_task_with_concurrent_children() => ForSeeds(seed =>
    {
        // cancel tears down p and both of its same-domain infinite children, and returns; the run then ends normally. Odd
        // seeds cancel at once, as the original; even seeds once both children are running.
        var (started, finallies) = (0, 0);
        var running = new[] { new Trigger(), new Trigger() };

        async Fiber Child(int i)
        {
            Interlocked.Increment(ref started);
            running[i].Signal();
            await CountFinally(Bodies.Infinite, () => Interlocked.Increment(ref finallies));
        }

        var (startedAtReturn, finalliesAtReturn) = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                var a = await Fiber.SpawnAsync(() => Child(0));
                var b = await Fiber.SpawnAsync(() => Child(1));
                await Fiber.AwaitAsync(a);
                await Fiber.AwaitAsync(b);
            });
            if (seed % 2 == 0)
            {
                await running[0].AwaitAsync();
                await running[1].AwaitAsync();
            }

            await Fiber.CancelAsync(p);
            return (Volatile.Read(ref started), Volatile.Read(ref finallies));
        }, Three(seed));
        Assert.That(finalliesAtReturn, Is.EqualTo(startedAtReturn), "every child that started was torn down before cancel returned");
        if (seed % 2 == 0)
        {
            Assert.That(startedAtReturn, Is.EqualTo(2));
        }
    });

    [Test]
    public void C20_abnormal_termination_cancels_parallel_children() => ForSeeds(seed =>
    {
        // The failing parallel task's own parallel child (a yield loop) is cancelled; the parent gets the original exception.
        var (started, finallies) = (0, 0);
        var result = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                _ = await Fiber.CallAsync(async () =>
                {
                    Interlocked.Increment(ref started);
                    await CountFinally(Bodies.Infinite, () => Interlocked.Increment(ref finallies));
                });
                throw new Failure("foo");
            });
            return await Fiber.AwaitResultAsync(p);
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<Failure>().With.Message.EqualTo("foo"));
        // Fiber.Run returns once every task of the run is done: the grandchild's teardown is over.
        Assert.That(finallies, Is.EqualTo(started));
    });

    [Test]
    public void C30_finally_runs_before_cancel_returns() => ForSeeds(seed =>
    {
        // After cancel returns, the cancelled task on another domain has run its finally (or never started). Odd seeds
        // cancel at once, as the original; even seeds first wait until the child is inside its try.
        var s = 0;
        var entered = new Trigger();
        var (atReturn, hasEntered) = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                Interlocked.Increment(ref s);
                entered.Signal();
                await CountFinally(Bodies.Infinite, () => Interlocked.Decrement(ref s));
            });
            if (seed % 2 == 0)
            {
                await entered.AwaitAsync();
            }

            await Fiber.CancelAsync(p);
            return (Volatile.Read(ref s), entered.IsSignalled);
        }, Three(seed));
        Assert.That(atReturn, Is.Zero);
        Assert.That(hasEntered || seed % 2 == 1, Is.True);
    }, count: 12);

    [Test]
    public void C34_cancel_an_infinite_parallel_task_with_one_worker() => ForSeeds(seed =>
    {
        var result = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(Bodies.Infinite);
            await Fiber.CancelAsync(p);
            return await Fiber.AwaitResultAsync(p);
        }, One(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
    });

    [Test]
    public void C42_dom0_keeps_receiving_transfers_while_busy() => ForSeeds(seed => Fiber.Run(async () =>
    {
        // dom0 always has a runnable task (p0), yet the wake-up of the root, posted by the worker when p1 ends, is taken.
        var p0 = await Fiber.SpawnAsync(Bodies.Infinite);
        var p1 = await Fiber.CallAsync(async () => await Fiber.YieldAsync());
        await Fiber.AwaitAsync(p1);
        await Fiber.CancelAsync(p0);
    }, Three(seed)));

    [Test]
    public void D12_cancel_lets_the_other_tasks_of_the_domain_run() =>
        // The book's retrospective: cancel is "asynchronous" for the caller's domain: while the root waits for p1's
        // teardown on a worker, p0 runs on dom0. Exact order: FIFO policy.
        Assert.That(Fiber.Run(async () =>
        {
            var log = new List<string>(); // written by dom0's tasks only
            var p1 = await Fiber.CallAsync(async () => await Fiber.YieldAsync());
            var p0 = await Fiber.SpawnAsync(async () => log.Add("Do p0"));
            log.Add("Cancel p1");
            await Fiber.CancelAsync(p1);
            log.Add("p1 cancelled");
            await Fiber.AwaitAsync(p0);
            return log;
        }, FifoThree), Is.EqualTo(new[] { "Cancel p1", "Do p0", "p1 cancelled" }));

    [Test]
    public void D13_cancel_after_awaiting_a_parallel_task() => ForSeeds(seed =>
    {
        var (first, second) = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () => 1 + 1);
            var first = await Fiber.AwaitResultAsync(p);
            await Fiber.CancelAsync(p);
            return (first, await Fiber.AwaitResultAsync(p));
        }, Three(seed));
        Assert.That(first.ValueOrThrow(), Is.EqualTo(2));
        Assert.That(second.Error, Is.TypeOf<CancelledException>());
    });

    [Test]
    public void D14_cancelling_a_task_whose_child_is_a_parallel_infinite_loop() => ForSeeds(seed =>
    {
        var finallies = 0;
        var looping = new Trigger();
        var (result, atReturn) = Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                var c = await Fiber.CallAsync(async () =>
                {
                    looping.Signal();
                    await CountFinally(Bodies.Infinite, () => Interlocked.Increment(ref finallies));
                });
                await Fiber.AwaitAsync(c);
            });
            await looping.AwaitAsync();
            await Fiber.CancelAsync(p);
            return (await Fiber.AwaitResultAsync(p), Volatile.Read(ref finallies));
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(atReturn, Is.EqualTo(1), "the parallel grandchild was torn down before cancel returned");
    });

    /// <summary>Where the cancel of the deep tree is issued from.</summary>
    public enum Canceller
    {
        Dom0,
        Worker,
    }

    [Test]
    public void Deep_tree_cancellation_across_domains_runs_every_finally_once_before_cancel_returns([Values] Canceller from) =>
        ForSeeds(seed =>
        {
            // A tree of depth 5 and fan-out 3 (121 tasks): each node spawns its children alternately with Call (another
            // worker) and Spawn (its own domain); the leaves yield forever or park on a trigger nobody signals. Once every
            // node has entered its try, the top is cancelled: when Cancel returns, every finally has run, exactly once.
            const int depth = 5, fanout = 3, total = 121;
            var finallies = new int[total];
            var next = 0;
            var allIn = new Trigger();

            async Fiber Node(int level)
            {
                var id = Interlocked.Increment(ref next) - 1;
                if (id == total - 1)
                {
                    allIn.Signal();
                }

                try
                {
                    if (level == depth)
                    {
                        if (id % 2 == 0)
                        {
                            await Bodies.Infinite();
                        }
                        else
                        {
                            await new Trigger().AwaitAsync();
                        }

                        return;
                    }

                    var children = new List<Promise>();
                    for (var i = 0; i < fanout; i++)
                    {
                        children.Add(i % 2 == 0 ? await Fiber.CallAsync(() => Node(level + 1)) : await Fiber.SpawnAsync(() => Node(level + 1)));
                    }

                    foreach (var child in children)
                    {
                        await Fiber.AwaitAsync(child);
                    }
                }
                finally
                {
                    Interlocked.Increment(ref finallies[id]);
                }
            }

            async Fiber<int[]> CancelTree()
            {
                var top = await Fiber.CallAsync(() => Node(1));
                await allIn.AwaitAsync();
                await Fiber.CancelAsync(top);
                var atReturn = finallies.Select(f => Volatile.Read(ref f)).ToArray();
                Assert.That((await Fiber.AwaitResultAsync(top)).Error, Is.TypeOf<CancelledException>());
                return atReturn;
            }

            var atReturn = Fiber.Run(async () =>
            {
                if (from == Canceller.Dom0)
                {
                    return await CancelTree();
                }

                var mid = await Fiber.CallAsync(CancelTree);
                return await Fiber.AwaitAsync(mid);
            }, Three(seed));
            Assert.That(next, Is.EqualTo(total));
            Assert.That(atReturn, Is.All.EqualTo(1), "every finally ran once before Cancel returned");
            Assert.That(finallies, Is.All.EqualTo(1), "and never again");
        }, count: 4);

    [Test]
    public void Child_on_a_worker_failing_while_its_parent_waits_on_dom0() => ForSeeds(seed =>
    {
        // The child waits until the trace shows its parent parked in the await on dom0 (a foreign thread relays that to the
        // child's trigger), then fails. The failure crosses to dom0, wakes the parent, and Fiber.Run throws it.
        var childId = 0;
        var failedOn = Domain.Dom0;
        using var parentParked = new ManualResetEventSlim();
        var go = new Trigger();
        var relay = new Thread(() =>
        {
            parentParked.Wait(TimeSpan.FromSeconds(30)); // on time-out, the assertion on parentParked below fails
            go.Signal();
        });
        relay.Start();
        var options = Three(seed) with
        {
            Trace = e =>
            {
                if (e.Kind == TraceKind.Await && e.Domain == 0 && e.Other != 0 && e.Other == Volatile.Read(ref childId))
                {
                    parentParked.Set();
                }
            },
        };
        var error = Assert.Throws<Failure>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
            {
                await go.AwaitAsync();
                failedOn = await Domain.SelfAsync();
                throw new Failure("worker");
            });
            Volatile.Write(ref childId, p.Id);
            await Fiber.AwaitAsync(p);
        }, options));
        relay.Join();
        Assert.That(parentParked.IsSet, Is.True, "the parent was parked on dom0 when the child failed");
        Assert.That(error!.Message, Is.EqualTo("worker"));
        Assert.That(failedOn, Is.Not.EqualTo(Domain.Dom0));
    });

    [Test]
    public void Ten_thousand_calls_with_random_cancellations_run_every_finally_exactly_once() => ForSeeds(seed =>
    {
        // 10,000 calls per seed, made by 50 managers (half on dom0, half on workers) in waves of 20. Each call yields a
        // random number of times (maybe spawning a child of its own), and its manager either awaits or cancels it, at
        // random. Every call that started ran its finally exactly once, and for a cancelled one, before Cancel returned.
        const int managers = 50, perManager = 200, wave = 20, calls = managers * perManager;
        var rng = new Random((int)seed);
        var yields = Enumerable.Range(0, calls).Select(_ => rng.Next(6)).ToArray();
        var cancel = Enumerable.Range(0, calls).Select(_ => rng.Next(3) == 0).ToArray();
        var started = new int[calls];
        var finallies = new int[calls];
        var lateFinally = new int[1];
        var cancelledAfterStart = new int[1];

        async Fiber Child(int id)
        {
            Interlocked.Increment(ref started[id]);
            try
            {
                if (yields[id] == 5)
                {
                    var grandchild = await Fiber.SpawnAsync(Bodies.Infinite);
                    await Fiber.YieldAsync();
                    await Fiber.CancelAsync(grandchild);
                }

                for (var i = 0; i < yields[id]; i++)
                {
                    await Fiber.YieldAsync();
                }
            }
            finally
            {
                Interlocked.Increment(ref finallies[id]);
            }
        }

        async Fiber Manager(int m)
        {
            for (var w = 0; w < perManager; w += wave)
            {
                var promises = new Promise[wave];
                for (var i = 0; i < wave; i++)
                {
                    var id = m * perManager + w + i;
                    promises[i] = await Fiber.CallAsync(() => Child(id));
                }

                for (var i = 0; i < wave; i++)
                {
                    var id = m * perManager + w + i;
                    if (cancel[id])
                    {
                        await Fiber.CancelAsync(promises[i]);
                        var (s, f) = (Volatile.Read(ref started[id]), Volatile.Read(ref finallies[id]));
                        if (f != s)
                        {
                            Interlocked.Increment(ref lateFinally[0]);
                        }
                        else if (s == 1)
                        {
                            Interlocked.Increment(ref cancelledAfterStart[0]);
                        }
                    }
                    else
                    {
                        (await Fiber.AwaitResultAsync(promises[i])).ValueOrThrow();
                    }
                }
            }
        }

        Fiber.Run(async () =>
        {
            var all = new List<Promise>();
            for (var m = 0; m < managers; m++)
            {
                var mm = m;
                all.Add(m % 2 == 0 ? await Fiber.SpawnAsync(() => Manager(mm)) : await Fiber.CallAsync(() => Manager(mm)));
            }

            foreach (var p in all)
            {
                await Fiber.AwaitAsync(p);
            }
        }, Three(seed));

        Assert.That(lateFinally[0], Is.Zero, "a cancelled call's finally had not run when Cancel returned");
        for (var id = 0; id < calls; id++)
        {
            Assert.That(finallies[id], Is.EqualTo(started[id]), $"call {id}: started {started[id]} time(s), finally ran {finallies[id]} time(s)");
            if (!cancel[id])
            {
                Assert.That(started[id], Is.EqualTo(1), $"call {id} was awaited, so it ran");
            }
        }

        TestContext.Out.WriteLine($"seed {seed}: {cancel.Count(c => c)} cancelled, {cancelledAfterStart[0]} of them after they started");
    }, count: 20);

    /// <summary>Runs <paramref name="body"/> and counts its finally.</summary>
    private static async Fiber CountFinally(Func<Fiber> body, Action onFinally)
    {
        try
        {
            await body();
        }
        finally
        {
            onFinally();
        }
    }
}
