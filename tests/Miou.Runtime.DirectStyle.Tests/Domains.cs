using Miou.Tests.Domains;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.DirectStyle.Tests;

/// <summary>
/// The cases that use worker domains (tag N), written as [Fiber] methods: <c>Call</c>, <c>Parallel</c> and <c>Domain</c>
/// (C4, C5, C11, C16, C18, C19, C21, C40), cancellation and failure across domains (C7, C9, C20, C30, C34, C42), rules
/// across domains (C13, C39), the virtual-clock cases on <see cref="SharedClock"/> (C23, C24, C25, C27), and the
/// documentation's examples that need workers (D4, D12, D13, D14, D15). Three workers as the original suite, one where the
/// case is about running out of domains.
/// </summary>
public partial class DomainCases
{
    internal enum Which
    {
        P0,
        P1,
    }

    private enum Placement
    {
        SameDomain,
        OtherDomains,
    }

    /// <summary>The original's <c>infinite ()</c>: <c>loop { yield () }</c>. Only cancellation ends it.</summary>
    [Fiber]
    private static void Infinite()
    {
        while (true)
        {
            Fiber.Yield();
        }
    }

    // Counters written by tasks on several domains; reset by each seed.
    private int _started;
    private int _finallies;

    private void ResetCounters() => (_started, _finallies) = (0, 0);

    /// <summary>Counts a start, runs <see cref="Infinite"/> until cancelled, counts its finally.</summary>
    [Fiber]
    private void CountedInfinite(Trigger? running = null)
    {
        Interlocked.Increment(ref _started);
        running?.Signal();
        try
        {
            Infinite();
        }
        finally
        {
            Interlocked.Increment(ref _finallies);
        }
    }

    // C4: p = call (fun () -> ()); await_exn p.
    [Fiber]
    private static void C04Main() => Fiber.Await(Fiber.Call(() => { }));

    [Test]
    public void C04_simple_parallel_task() => DomainRuns.ForSeeds(seed => Fiber.Run(C04Main, Three(seed)));

    // C5: await_one returns one result without cancelling the other, which must then be awaited.
    [Fiber]
    private static (Which First, Which Other) C05Main()
    {
        var p0 = Fiber.Call(() => Which.P0);
        var p1 = Fiber.Call(() => Which.P1);
        var first = Fiber.AwaitOne(p0, p1).ValueOrThrow();
        var other = Fiber.Await(first == Which.P0 ? p1 : p0);
        return (first, other);
    }

    [Test]
    public void C05_await_one() =>
        UntilEveryOutcome(seed =>
        {
            var (first, other) = Fiber.Run(C05Main, Three(seed));
            Assert.That(other, Is.Not.EqualTo(first), "the other child is still there, with its own value");
            return first;
        }, [Which.P0, Which.P1], maxRuns: 101, minRuns: 24);

    // C7: whatever the race, after cancel the await is Error Cancelled; the yields before the cancel vary with the seed.
    [Fiber]
    private static Result<Unit> C07Main(ulong yields)
    {
        var p = Fiber.Call(() => { });
        for (var i = 0UL; i < yields; i++)
        {
            Fiber.Yield();
        }

        Fiber.Cancel(p);
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void C07_cancel_of_a_parallel_task() => DomainRuns.ForSeeds(seed =>
        Assert.That(Fiber.Run(C07Main, seed % 4, Three(seed)).Error, Is.TypeOf<CancelledException>()), count: 16);

    // C9: cancel tears down p and both of its same-domain infinite children, and returns. Odd seeds cancel at once, as
    // the original; even seeds once both children are running.
    [Fiber]
    private (int Started, int Finallies) C09Main(bool waitUntilRunning)
    {
        var running = new[] { new Trigger(), new Trigger() };
        var p = Fiber.Call(() =>
        {
            var a = Fiber.Async(() => CountedInfinite(running[0]));
            var b = Fiber.Async(() => CountedInfinite(running[1]));
            Fiber.Await(a);
            Fiber.Await(b);
        });
        if (waitUntilRunning)
        {
            running[0].Await();
            running[1].Await();
        }

        Fiber.Cancel(p);
        return (Volatile.Read(ref _started), Volatile.Read(ref _finallies));
    }

    [Test]
    public void C09_cancellation_of_a_parallel_task_with_concurrent_children() => DomainRuns.ForSeeds(seed =>
    {
        ResetCounters();
        var (started, finallies) = Fiber.Run(C09Main, seed % 2 == 0, Three(seed));
        Assert.That(finallies, Is.EqualTo(started), "every child that started was torn down before cancel returned");
        if (seed % 2 == 0)
        {
            Assert.That(started, Is.EqualTo(2));
        }
    });

    // C11: both outcomes of await_first among finished parallel tasks are possible; the loser is cancelled.
    [Fiber]
    private static int C11Main()
    {
        var a = Fiber.Call(() => 0);
        var b = Fiber.Call(() => 1);
        return Fiber.AwaitFirst(a, b).ValueOrThrow();
    }

    [Test]
    public void C11_await_first_picks_among_finished_tasks() =>
        UntilEveryOutcome(seed => Fiber.Run(C11Main, Three(seed)), [0, 1]);

    // C13: b awaits a's child, which a published in a shared cell: Not_a_child, whether a and b share a worker or not.
    private Promise? _cell;
    private Domain _domainOfA;
    private Domain _domainOfB;

    [Fiber]
    private void C13Main()
    {
        var a = Fiber.Call(() =>
        {
            _domainOfA = Domain.Self();
            var c = Fiber.Async(() => { });
            Volatile.Write(ref _cell, c);
            Fiber.Await(c);
        });
        var b = Fiber.Call(() =>
        {
            _domainOfB = Domain.Self();
            Promise? p;
            while ((p = Volatile.Read(ref _cell)) is null)
            {
                Fiber.Yield();
            }

            Fiber.Await(p);
        });
        Fiber.Await(a);
        Fiber.Await(b);
    }

    [Test]
    public void C13_no_value_passing_except_parent_child_across_domains() =>
        UntilEveryOutcome(seed =>
        {
            _cell = null;
            Assert.Throws<NotAChildException>(() => Fiber.Run(C13Main, Three(seed)));
            return _domainOfA == _domainOfB ? Placement.SameDomain : Placement.OtherDomains;
        }, [Placement.SameDomain, Placement.OtherDomains]);

    // C16: call from a worker never targets the caller's domain (nor dom0). 16 nested calls per run, concurrently.
    [Fiber]
    private static List<(Domain, Domain)> C16Main()
    {
        var outer = new List<Promise<(Domain, Domain)>>();
        for (var i = 0; i < 16; i++)
        {
            outer.Add(Fiber.Call(() =>
            {
                var v = Domain.Self();
                var q = Fiber.Call(Domain.Self); // becomes Fiber.CallAsync(Domain.SelfAsync) (generator note G2, fixed)
                return (v, Fiber.Await(q));
            }));
        }

        var pairs = new List<(Domain, Domain)>();
        foreach (var p in outer)
        {
            pairs.Add(Fiber.Await(p));
        }

        return pairs;
    }

    [Test]
    public void C16_nested_call_runs_on_a_different_domain() => DomainRuns.ForSeeds(seed =>
    {
        foreach (var (v, u) in Fiber.Run(C16Main, Three(seed)))
        {
            Assert.That(v, Is.Not.EqualTo(Domain.Dom0), "Call never runs its child on dom0");
            Assert.That(u, Is.Not.EqualTo(Domain.Dom0), "Call never runs its child on dom0");
            Assert.That(u, Is.Not.EqualTo(v), "Call from a worker never targets the caller's domain");
        }
    });

    // C18: duplicates are allowed; await_first must not cancel the winner because it appears twice; p ends consumed.
    [Fiber]
    private static (int, int) C18Main()
    {
        var p = Fiber.Call(() => 18);
        var one = Fiber.AwaitOne(p, p).ValueOrThrow();
        var first = Fiber.AwaitFirst(p, p).ValueOrThrow();
        return (one, first);
    }

    [Test]
    public void C18_await_one_and_await_first_on_a_duplicated_promise() => DomainRuns.ForSeeds(seed =>
        Assert.That(Fiber.Run(C18Main, Three(seed)), Is.EqualTo((18, 18))));

    // C19: the outer call runs on the single worker, whose own call may target neither dom0 nor itself.
    private bool _outerStarted;

    [Fiber]
    private void C19Main()
    {
        var p = Fiber.Call(() =>
        {
            _outerStarted = true;
            Fiber.Await(Fiber.Call(() => { }));
        });
        Fiber.Await(p);
    }

    [Test]
    public void C19_no_domain_available_from_the_only_worker() => DomainRuns.ForSeeds(seed =>
    {
        _outerStarted = false;
        Assert.Throws<NoDomainAvailableException>(() => Fiber.Run(C19Main, One(seed)));
        Assert.That(_outerStarted, Is.True, "the call from dom0 works: only the one from the worker has no domain");
    });

    // C20: the failing parallel task's own parallel child (a yield loop) is cancelled; the parent gets the original error.
    [Fiber]
    private Result<Unit> C20Main()
    {
        var p = Fiber.Call(() =>
        {
            _ = Fiber.Call(() => CountedInfinite());
            throw new Failure("foo");
        });
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void C20_abnormal_termination_cancels_parallel_children() => DomainRuns.ForSeeds(seed =>
    {
        ResetCounters();
        var result = Fiber.Run(C20Main, Three(seed));
        Assert.That(result.Error, Is.TypeOf<Failure>().With.Message.EqualTo("foo"));
        // Fiber.Run returns once every task of the run is done: the grandchild's teardown is over.
        Assert.That(_finallies, Is.EqualTo(_started));
    }, count: 12);

    // C21: Domain.Self identifies the thread running the task: a child pinned to domain k reports Self = k, and the pairs
    // (Self, thread) seen during a run form a one-to-one map, dom0 being the thread that called Run. The thread is read
    // before and after a suspension: a task stays on its domain.
    [Fiber]
    private static (Domain Self, int Before, int After) Observe()
    {
        var before = DomainRuns.ThreadMarker();
        var self = Domain.Self();
        Fiber.Yield();
        return (self, before, DomainRuns.ThreadMarker());
    }

    [Fiber]
    private static List<(Domain Expected, Domain Self, int Before, int After)> C21Main()
    {
        var seen = new List<(Domain Expected, Domain Self, int Before, int After)>();
        var before = DomainRuns.ThreadMarker();
        seen.Add((Domain.Dom0, Domain.Self(), before, DomainRuns.ThreadMarker()));
        var children = new List<(Domain, Promise<(Domain, int, int)>)>();
        for (var round = 0; round < 4; round++)
        {
            for (var k = 1; k <= 3; k++)
            {
                children.Add((new Domain(k), Fiber.Call(Observe, pin: new Domain(k))));
            }
        }

        foreach (var (expected, child) in children)
        {
            var (self, b, a) = Fiber.Await(child);
            seen.Add((expected, self, b, a));
        }

        // A worker pinning a grandchild on another worker: the same map holds.
        var nested = Fiber.Call(() =>
        {
            var here = Domain.Self();
            var target = new Domain(here.Uid % 3 + 1);
            var q = Fiber.Call(Observe, pin: target);
            return (target, Fiber.Await(q));
        }, pin: new Domain(1));
        var (target, (s, nb, na)) = Fiber.Await(nested);
        seen.Add((target, s, nb, na));
        return seen;
    }

    [Test]
    public void C21_domain_self_identifies_the_thread_running_the_task() => DomainRuns.ForSeeds(seed =>
    {
        var caller = DomainRuns.ThreadMarker();
        var seen = Fiber.Run(C21Main, Three(seed));
        DomainRuns.AssertOneThreadPerDomain(seen, caller);
    });

    // C23: the cancellation crosses domains and reaches a task suspended on the worker; cancel returns long before the
    // 10-tick sleep would end. The clock starts once both sleeps are registered.
    [Fiber]
    private static Result<Unit> C23Main(SharedClock clock)
    {
        var a = Fiber.Call(() => SharedSleep.Nap(clock, 10));
        SharedSleep.Nap(clock, 1);
        Fiber.Cancel(a);
        return Fiber.AwaitResult(a);
    }

    [Test]
    public void C23_cancel_a_sleeping_parallel_task_while_dom0_sleeps() => DomainRuns.ForSeeds(seed =>
    {
        var clock = new SharedClock(sleepers: 2);
        var result = Fiber.Run(C23Main, clock, clock.Options(One(seed)));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(clock.Registered, Is.EqualTo(2));
        Assert.That(clock.Tick, Is.LessThan(10));
    });

    /// <summary>The original's <c>parallel Miouc.sleep ticks</c>.</summary>
    [Fiber]
    private static Result<int>[] ParallelNaps(SharedClock clock, int[] ticks) => Fiber.Parallel((int t) =>
    {
        SharedSleep.Nap(clock, t);
        return t;
    }, ticks);

    /// <summary>Runs <see cref="ParallelNaps"/> with three workers; returns the clock's final tick.</summary>
    private static int ParallelSleeps(ulong seed, params int[] ticks)
    {
        var clock = new SharedClock(sleepers: ticks.Length);
        var results = Fiber.Run(ParallelNaps, clock, ticks, clock.Options(Three(seed)));
        Assert.That(results.Select(r => r.ValueOrThrow()), Is.EqualTo(ticks), "every sleep ends normally");
        return clock.Tick;
    }

    [Test]
    public void C24_parallel_sleepers_run_in_parallel() => DomainRuns.ForSeeds(seed =>
        Assert.That(ParallelSleeps(seed, 2, 2), Is.InRange(2, 3), "a sleep of 2 ticks waits 2 ticks; one after the other, the sleeps would take 4"));

    [Test]
    public void C27_parallel_sleepers_different_lengths() => DomainRuns.ForSeeds(seed =>
        Assert.That(ParallelSleeps(seed, 2, 4), Is.InRange(4, 5), "the longer sleep waits its 4 ticks; one after the other, they would take 6"));

    // C25: the root returns with a child it never awaited, asleep on a worker (once its sleep is registered): the fatal
    // error stops the run promptly, although the worker waits in its event source.
    [Fiber]
    private static void C25Main(SharedClock clock)
    {
        _ = Fiber.Call(() => SharedSleep.Nap(clock, 10));
        clock.Started.Await();
    }

    [Test]
    public void C25_still_has_children_even_when_the_child_is_stuck_in_a_syscall() => DomainRuns.ForSeeds(seed =>
    {
        var clock = new SharedClock(sleepers: 1);
        Assert.Throws<StillHasChildrenException>(() => Fiber.Run(C25Main, clock, clock.Options(Three(seed))));
        Assert.That(clock.Tick, Is.LessThan(10));
    });

    // C30: after cancel returns, the cancelled task on another domain has run its finally (or never started). Odd seeds
    // cancel at once, as the original; even seeds first wait until the child is inside its try.
    [Fiber]
    private (int AtReturn, bool Entered) C30Main(bool waitUntilEntered)
    {
        var s = 0;
        var entered = new Trigger();
        var p = Fiber.Call(() =>
        {
            Interlocked.Increment(ref s);
            entered.Signal();
            try
            {
                Infinite();
            }
            finally
            {
                Interlocked.Decrement(ref s);
            }
        });
        if (waitUntilEntered)
        {
            entered.Await();
        }

        Fiber.Cancel(p);
        return (Volatile.Read(ref s), entered.IsSignalled);
    }

    [Test]
    public void C30_finally_runs_before_cancel_returns() => DomainRuns.ForSeeds(seed =>
    {
        var (atReturn, entered) = Fiber.Run(C30Main, seed % 2 == 0, Three(seed));
        Assert.That(atReturn, Is.Zero);
        Assert.That(entered || seed % 2 == 1, Is.True);
    }, count: 12);

    // C34: run ~domains:1: p = call infinite; cancel p.
    [Fiber]
    private static Result<Unit> C34Main()
    {
        var p = Fiber.Call(Infinite);
        Fiber.Cancel(p);
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void C34_cancel_an_infinite_parallel_task_with_one_worker() => DomainRuns.ForSeeds(seed =>
        Assert.That(Fiber.Run(C34Main, One(seed)).Error, Is.TypeOf<CancelledException>()));

    // C39: removing a hook from another domain raises Invalid_argument (ArgumentException) in the task that tried; the
    // root, on the hook's own domain, may remove it.
    [Fiber]
    private static Result<Unit> C39Main()
    {
        var h = Hook.Add(() => { });
        var p = Fiber.Call(() => h.Remove());
        var result = Fiber.AwaitResult(p);
        h.Remove();
        return result;
    }

    [Test]
    public void C39_removing_a_hook_from_another_domain() => DomainRuns.ForSeeds(seed =>
        Assert.That(Fiber.Run(C39Main, Three(seed)).Error, Is.TypeOf<ArgumentException>().With.Message.Contains("does not belong")));

    // C40: both winners are observable; the lazy computation runs once, and every forcer that got a value got 42.
    private int _evaluations;
    private int[] _seen = new int[2];

    [Fiber]
    private (Which Which, int Value) C40Main()
    {
        var v = FiberLazy<int>.FromFunc(() =>
        {
            Interlocked.Increment(ref _evaluations);
            for (var i = 0; i < 3; i++)
            {
                Fiber.Yield();
            }

            return 42;
        });
        var p0 = Fiber.Call(() => (Which.P0, _seen[0] = v.Force()));
        var p1 = Fiber.Call(() => (Which.P1, _seen[1] = v.Force()));
        return Fiber.AwaitFirst(p0, p1).ValueOrThrow();
    }

    [Test]
    public void C40_lazy_forced_from_two_domains() =>
        UntilEveryOutcome(seed =>
        {
            _evaluations = 0;
            _seen = new int[2];
            var (which, value) = Fiber.Run(C40Main, Three(seed));
            Assert.That(value, Is.EqualTo(42));
            Assert.That(_evaluations, Is.EqualTo(1), "the lazy computation runs once");
            Assert.That(_seen, Is.All.EqualTo(0).Or.EqualTo(42), "a forcer that was not cancelled first saw 42");
            return which;
        }, [Which.P0, Which.P1]);

    // C42: dom0 always has a runnable task (p0), yet the wake-up of the root, posted by the worker when p1 ends, is taken.
    [Fiber]
    private static void C42Main()
    {
        var p0 = Fiber.Async(Infinite);
        var p1 = Fiber.Call(() => Fiber.Yield());
        Fiber.Await(p1);
        Fiber.Cancel(p0);
    }

    [Test]
    public void C42_dom0_keeps_receiving_transfers_while_busy() => DomainRuns.ForSeeds(seed => Fiber.Run(C42Main, Three(seed)));

    // D4, miou.mli rule 6 / call: nested calls return domain uids other than 0 and different from each other.
    [Fiber]
    private static (Domain Outer, Domain Inner, Domain Innermost) D04NestedMain()
    {
        var p = Fiber.Call(() =>
        {
            var q = Fiber.Call(() =>
            {
                var r = Fiber.Call(() => Domain.Self());
                return (Domain.Self(), Fiber.Await(r));
            });
            var (b, c) = Fiber.Await(q);
            return (Domain.Self(), b, c);
        });
        return Fiber.Await(p);
    }

    [Test]
    public void D04_nested_calls_run_on_distinct_workers() => DomainRuns.ForSeeds(seed =>
    {
        var (outer, inner, innermost) = Fiber.Run(D04NestedMain, Three(seed));
        Assert.That(new[] { outer, inner, innermost }, Has.None.EqualTo(Domain.Dom0));
        Assert.That(inner, Is.Not.EqualTo(outer));
        Assert.That(innermost, Is.Not.EqualTo(inner));
    });

    // D4, the book's "loop until equal" terminates: two sibling calls from dom0 may run on the same worker.
    [Fiber]
    private static int D04SiblingsMain()
    {
        for (var i = 1; i <= 200; i++)
        {
            var a = Fiber.Call(() => Domain.Self());
            var b = Fiber.Call(() => Domain.Self());
            if (Fiber.Await(a) == Fiber.Await(b))
            {
                return i;
            }
        }

        return -1;
    }

    [Test]
    public void D04_sibling_calls_may_land_on_the_same_domain() => DomainRuns.ForSeeds(seed =>
        Assert.That(Fiber.Run(D04SiblingsMain, Three(seed)), Is.Positive, "200 pairs of sibling calls never landed on the same worker"),
        count: 4);

    // D12, the book's retrospective: while the root waits for p1's teardown on a worker, p0 runs on dom0 (FIFO order).
    [Fiber]
    private static List<string> D12Main()
    {
        var log = new List<string>(); // written by dom0's tasks only
        var p1 = Fiber.Call(() => Fiber.Yield());
        var p0 = Fiber.Async(() => log.Add("Do p0"));
        log.Add("Cancel p1");
        Fiber.Cancel(p1);
        log.Add("p1 cancelled");
        Fiber.Await(p0);
        return log;
    }

    [Test]
    public void D12_cancel_lets_the_other_tasks_of_the_domain_run() =>
        Assert.That(Fiber.Run(D12Main, FifoThree), Is.EqualTo(new[] { "Cancel p1", "Do p0", "p1 cancelled" }));

    // D13, the book's retrospective: p = call (1 + 1); await p; cancel p; await p = Error Cancelled.
    [Fiber]
    private static (Result<int> First, Result<int> Second) D13Main()
    {
        var p = Fiber.Call(() => 1 + 1);
        var first = Fiber.AwaitResult(p);
        Fiber.Cancel(p);
        return (first, Fiber.AwaitResult(p));
    }

    [Test]
    public void D13_cancel_after_awaiting_a_parallel_task() => DomainRuns.ForSeeds(seed =>
    {
        var (first, second) = Fiber.Run(D13Main, Three(seed));
        Assert.That(first.ValueOrThrow(), Is.EqualTo(2));
        Assert.That(second.Error, Is.TypeOf<CancelledException>());
    });

    // D14, the book's retrospective: cancelling p, whose child is a parallel infinite loop, returns, the grandchild torn down.
    [Fiber]
    private (Result<Unit> Result, int FinalliesAtReturn) D14Main()
    {
        var looping = new Trigger();
        var p = Fiber.Async(() =>
        {
            var c = Fiber.Call(() => CountedInfinite(looping));
            Fiber.Await(c);
        });
        looping.Await();
        Fiber.Cancel(p);
        return (Fiber.AwaitResult(p), Volatile.Read(ref _finallies));
    }

    [Test]
    public void D14_cancelling_a_task_whose_child_is_a_parallel_infinite_loop() => DomainRuns.ForSeeds(seed =>
    {
        ResetCounters();
        var (result, atReturn) = Fiber.Run(D14Main, Three(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(atReturn, Is.EqualTo(1), "the parallel grandchild was torn down before cancel returned");
    });

    // D15, the book: parallel (fun () -> Domain.self ()) [(); (); ()] returns the three workers (in any order); with an
    // extra async on dom0, 0 is among them too.
    [Fiber]
    private static (List<Domain> Workers, List<Domain> Mixed) D15Main()
    {
        var workers = Fiber.Parallel((int _) => Domain.Self(), [0, 0, 0]);
        var onDom0 = Fiber.Async(() => Domain.Self());
        var others = Fiber.Parallel((int _) => Domain.Self(), [0, 0, 0]);
        var mixed = others.Select(r => r.ValueOrThrow()).Append(Fiber.Await(onDom0)).ToList();
        return (workers.Select(r => r.ValueOrThrow()).ToList(), mixed);
    }

    [Test]
    public void D15_parallel_domain_self_returns_every_worker() => DomainRuns.ForSeeds(seed =>
    {
        var (workers, mixed) = Fiber.Run(D15Main, Three(seed));
        Assert.That(workers, Is.EquivalentTo(new[] { new Domain(1), new Domain(2), new Domain(3) }));
        Assert.That(mixed, Is.EquivalentTo(new[] { Domain.Dom0, new Domain(1), new Domain(2), new Domain(3) }));
    });
}
