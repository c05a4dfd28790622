using Miou.Tests.Support;
namespace Miou.DirectStyle.Tests;

/// <summary>
/// System events (spec §5), written as [Fiber] methods: C28 with a hand-made event source, and the virtual-clock cases
/// C22, C26, C29, D5, D7 on <see cref="Miouc"/> with the direct-style <see cref="VirtualSleep.Nap"/>. The clock moves at
/// most one tick per <c>select</c>, so the tick bounds count poll rounds.
/// </summary>
public partial class Events
{
    private VirtualClock _clock = new();
    private bool _flag;
    private bool _finally;

    private RunOptions Fresh(RunOptions options)
    {
        _clock = new VirtualClock();
        _flag = false;
        _finally = false;
        return _clock.Options(options);
    }

    private enum C22Outcome
    {
        Ok,
        BasicFailure,
    }

    [Fiber]
    private Result<Unit> C22Main(bool fail)
    {
        var p = Fiber.Async(() =>
        {
            var c = Fiber.Async(() =>
            {
                _flag = true; // the child ran
                _clock.Nap(1);
            });
            if (fail)
            {
                throw new BasicFailure(); // in the spawn's slot: c is cancelled before it ever runs
            }

            Fiber.Await(c);
        });
        return Fiber.AwaitResult(p);
    }

    [Fiber]
    private int G1Main()
    {
        _clock.Sleep(2); // reduced form: must reach VirtualSleep.SleepAsync, not the clock's own SleepAsync
        return _clock.Tick;
    }

    [Test]
    public void G1_an_extension_fiber_method_whose_twin_is_named_like_a_member_of_the_receiver_runs_its_twin()
    {
        var before = VirtualSleep.Sleeps;
        Assert.That(Fiber.Run(G1Main, Fresh(new RunOptions())), Is.EqualTo(2));
        Assert.That(VirtualSleep.Sleeps - before, Is.EqualTo(1), "the direct-style Sleep's twin ran");
    }

    [Test]
    public void C22_cancellation_of_a_syscall() =>
        // The original draws the failure from its own PRNG and loops until it has seen both outcomes; here the draw comes
        // from the seed, and every seed checks the tick its outcome implies.
        AssertEveryOutcome(seed =>
        {
            var fail = new Random((int)seed).Next(2) == 0;
            var result = Fiber.Run(C22Main, fail, Fresh(Seeded(seed)));
            if (result.IsOk)
            {
                Assert.That(_clock.Tick, Is.EqualTo(1), "one sleep of one tick: exactly one clock advance");
                return C22Outcome.Ok;
            }

            Assert.That(result.Error, Is.TypeOf<BasicFailure>());
            Assert.That(_flag, Is.False, "the cancelled child never ran, so it never slept");
            Assert.That(_clock.Tick, Is.Zero, "no suspension, so no select and no clock advance");
            return C22Outcome.BasicFailure;
        }, [C22Outcome.Ok, C22Outcome.BasicFailure]);

    /// <summary>C26's program: two <c>async</c> sleeps of <paramref name="ticks"/>, then <c>await_all</c>.</summary>
    [Fiber]
    private Result<Unit>[] C26Main(int ticks)
    {
        var a = Fiber.Async(() => _clock.Nap(ticks));
        var b = Fiber.Async(() => _clock.Nap(ticks));
        return Fiber.AwaitAll(a, b);
    }

    private int ConcurrentSleepers(int ticks, RunOptions options)
    {
        var results = Fiber.Run(C26Main, ticks, Fresh(options));
        Assert.That(results, Has.Length.EqualTo(2));
        Assert.That(results.All(r => r.IsOk), Is.True, string.Join(", ", results));
        return _clock.Tick;
    }

    [Test]
    public void C26_concurrent_sleepers() =>
        // The original's bound, in its (FIFO) order: the sleeps overlap, so less than their sum; at least 5.
        Assert.That(ConcurrentSleepers(5, Fifo), Is.InRange(5, 9));

    [Test]
    public void C26_concurrent_sleepers_under_every_seed() =>
        // Sleeps long enough that only sequential sleeping reaches their sum (see the hand-written port).
        ForSeeds(seed => Assert.That(ConcurrentSleepers(100, Seeded(seed)), Is.InRange(100, 199)));

    [Fiber]
    private static int C28Main(OneSignal events)
    {
        var s = Fiber.Syscall();
        events.Pending = s;
        var selectsBeforeSuspend = events.Blocks.Count;
        Fiber.Suspend(s);
        return selectsBeforeSuspend;
    }

    [Test]
    public void C28_custom_events_resume_a_suspension()
    {
        var events = new OneSignal();
        var selectsBeforeSuspend = Fiber.Run(C28Main, events, NoWorkers with { Events = _ => events });
        Assert.That(selectsBeforeSuspend, Is.Zero, "select is called only while a suspension is pending");
        Assert.That(events.Blocks, Is.Not.Empty, "the suspension was resumed through select");
        Assert.That(events.Disposed, Is.EqualTo(1), "the domain's finaliser runs once, when the run ends");
    }

    /// <summary>Three waits on one syscall in direct style: <c>Fiber.Suspend(name, register)</c>, then <c>Fiber.SuspendAgain</c> twice.</summary>
    [Fiber]
    private static (int Objects, List<int> Ids) SuspendAgainMain(OneSignal events)
    {
        var ids = new List<int>();
        void Register(Syscall s)
        {
            ids.Add(s.Id); // the id of this wait: the object keeps only the latest
            events.Pending = s;
        }

        Fiber.Suspend("first", Register);
        var syscall = events.Pending!;
        Fiber.SuspendAgain(syscall, Register);
        Fiber.SuspendAgain(syscall, Register);
        var objects = ReferenceEquals(events.Pending, syscall) ? 1 : 2;
        events.Pending = null;
        return (objects, ids);
    }

    [Test]
    public void A_syscall_suspended_on_again_in_direct_style_is_one_object_with_a_new_id_per_wait()
    {
        var events = new OneSignal();
        var (objects, ids) = Fiber.Run(SuspendAgainMain, events, NoWorkers with { Events = _ => events });
        Assert.That(objects, Is.EqualTo(1));
        Assert.That(ids, Has.Count.EqualTo(3));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(3), "each wait was resumed by its own signal, under its own id");
    }

    /// <summary>
    /// The original's <c>with_timeout n f</c>: <c>await_first [async f; async (sleep n; raise Timeout)]</c> with a <c>f</c>
    /// that returns at once. The loser records in <see cref="_flag"/> whether it ever woke from its sleep.
    /// </summary>
    [Fiber]
    private Result<int> WithTimeout(int ticks)
    {
        var work = Fiber.Async(() => 0);
        var timeout = Fiber.Async<int>(() =>
        {
            _clock.Nap(ticks);
            _flag = true;
            throw new TimeoutFailure();
        });
        return Fiber.AwaitFirst(work, timeout);
    }

    private int RunWithTimeout(int ticks, RunOptions options)
    {
        var result = Fiber.Run(WithTimeout, ticks, Fresh(options));
        Assert.That(result.IsOk, Is.True, result.ToString());
        Assert.That(result.Value, Is.Zero);
        Assert.That(_flag, Is.False, "await_first cancelled the sleeping loser instead of waiting for it");
        return _clock.Tick;
    }

    [Test]
    public void C29_timeout_with_await_first() =>
        // The original's bound, in its (FIFO) order.
        Assert.That(RunWithTimeout(10, Fifo), Is.LessThan(10));

    [Test]
    public void D07_await_first_does_not_wait_for_the_loser() =>
        // miou.mli, await_first, under every seed with a sleep far longer than the program's other steps.
        ForSeeds(seed => Assert.That(RunWithTimeout(100, Seeded(seed)), Is.LessThan(100)));

    [Fiber]
    private Result<Unit> D05Main()
    {
        var p = Fiber.Async(() =>
        {
            Fiber.Async(() =>
            {
                try
                {
                    _clock.Nap(10);
                    _flag = true; // woke
                }
                finally
                {
                    _finally = true;
                }
            });
            while (_clock.Tick == 0)
            {
                Fiber.Yield(); // until the event source has polled for the child's accepted suspension
            }

            throw new Failure("p");
        });
        return Fiber.AwaitResult(p);
    }

    [Test]
    public void D05_failure_cancels_a_sleeping_child_at_once() => ForSeeds(seed =>
    {
        // miou.mli, await / README "Abnormal termination": p's child sleeps 10, p fails with "p" once the clock has moved
        // (the child's suspension was accepted); await p is Error "p" at once, the sleeping child cancelled.
        var result = Fiber.Run(D05Main, Fresh(Seeded(seed)));
        Assert.That(result.Error, Is.TypeOf<Failure>().With.Message.EqualTo("p"));
        Assert.That(_flag, Is.False, "the child never woke from its sleep");
        Assert.That(_finally, Is.True, "the child was cancelled and torn down before the run ended");
        Assert.That(_clock.Tick, Is.LessThan(10));
    });
}
