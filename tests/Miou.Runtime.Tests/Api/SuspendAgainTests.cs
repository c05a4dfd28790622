using Miou.Tests.Behaviour;

namespace Miou.Tests.Api;

/// <summary>
/// <c>Fiber.SuspendAgainAsync(syscall, register)</c>: the allocation-free form of <c>SuspendAsync(name, register)</c> that
/// Miou.Unix uses on its hot path, reusing one syscall per socket and direction. Each reuse is a new wait: a new id, no
/// signal of an earlier wait carried over, and the same one scheduling point, cancellation and failure rules.
/// </summary>
public class SuspendAgainTests
{
    private static RunOptions With(IEvents events) => TestKit.Fifo with { Domains = 0, Events = _ => events };

    [Test]
    public void A_syscall_suspended_on_again_is_a_new_wait_with_a_new_id_resumed_by_its_own_signal()
    {
        var events = new ScriptedEvents();
        var ids = new List<int>();
        var registered = new List<Syscall>();
        Fiber.Run(async () =>
        {
            void Register(Syscall s)
            {
                ids.Add(s.Id);
                registered.Add(s);
                events.Register(s);
                events.Ready(s);
            }

            await Fiber.SuspendAsync("first", Register);
            for (var i = 0; i < 3; i++)
            {
                await Fiber.SuspendAgainAsync(registered[0], Register);
            }
        }, With(events));

        Assert.That(registered.Distinct().Count(), Is.EqualTo(1), "one syscall object for the four waits");
        Assert.That(ids.Distinct().Count(), Is.EqualTo(4), "a new id for each wait");
        Assert.That(events.Cancelled, Is.Empty);
    }

    [Test]
    public void A_signal_built_for_an_earlier_wait_does_not_resume_the_next_one()
    {
        var events = new StaleSignals();
        var selectsAtResume = -1;
        var selectsAtRegistration = -1;
        Fiber.Run(async () =>
        {
            Syscall? syscall = null;
            await Fiber.SuspendAsync("first", s =>
            {
                syscall = s;
                events.Keep = new Signal(s); // kept by the source and returned again, stale, during the next wait
                events.Now = new Signal(s);
            });
            await Fiber.SuspendAgainAsync(syscall!, s =>
            {
                selectsAtRegistration = events.Selects;
                events.FreshAfter = events.Selects + 3; // only the third select from now returns this wait's own signal
                events.Fresh = s;
            });
            selectsAtResume = events.Selects;
        }, With(events));

        Assert.That(events.StaleReturned, Is.GreaterThanOrEqualTo(2), "the stale signal was offered while the second wait was parked");
        Assert.That(selectsAtResume - selectsAtRegistration, Is.EqualTo(3), "resumed by its own signal, not by the stale one");
    }

    /// <summary>
    /// While a child waits on its syscall, the root tries <paramref name="attempt"/> on it, then signals the child: what the
    /// attempt threw, and whether the child's wait went on to be resumed by its signal.
    /// </summary>
    private static (TException? Refused, bool OwnerResumed) TryWhileTheOwnerWaits<TException>(Func<Syscall, Fiber> attempt)
        where TException : Exception
    {
        var events = new ScriptedEvents();
        TException? refused = null;
        var ownerResumed = false;
        Fiber.Run(async () =>
        {
            Syscall? shared = null;
            var owner = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.SuspendAsync("owner", s =>
                {
                    shared = s;
                    events.Register(s);
                });
                ownerResumed = true;
            });
            while (shared is null)
            {
                await Fiber.YieldAsync();
            }

            refused = await TestKit.CatchAsync<TException>(() => attempt(shared));
            events.Ready(shared);
            await Fiber.AwaitAsync(owner);
        }, With(events));
        return (refused, ownerResumed);
    }

    [Test]
    public void Suspending_again_on_a_syscall_another_task_is_suspended_on_throws_there_and_leaves_that_wait_alone()
    {
        var (refused, ownerResumed) = TryWhileTheOwnerWaits<InvalidOperationException>(
            async shared => await Fiber.SuspendAgainAsync(shared, _ => Assert.Fail("never registered")));

        Assert.That(refused?.Message, Does.Contain("is already in a suspension"));
        Assert.That(ownerResumed, Is.True, "the owner's wait went on and its signal resumed it");
    }

    [Test]
    public void Suspending_with_SuspendAsync_on_a_syscall_its_owner_is_suspended_on_throws_instead_of_parking_forever()
    {
        // The owner check also guards the answer of a suspended syscall, which is only the owner's to take.
        var (refused, ownerResumed) = TryWhileTheOwnerWaits<ArgumentException>(
            async shared => await Fiber.SuspendAsync(shared, () => Assert.Fail("never registered")));

        Assert.That(refused?.Message, Does.StartWith("This syscall does not belong to the current promise"));
        Assert.That(ownerResumed, Is.True, "the owner's wait went on and its signal resumed it");
    }

    [Test]
    public void A_syscall_of_another_domain_is_refused_at_the_suspension_point()
    {
        var sources = new System.Collections.Concurrent.ConcurrentDictionary<int, ScriptedEvents>();
        ArgumentException? refused = null;
        Fiber.Run(async () =>
        {
            var worker = await Fiber.CallAsync(async () =>
            {
                Syscall? mine = null;
                await Fiber.SuspendAsync("worker", s =>
                {
                    mine = s;
                    sources[s.Domain.Uid].Ready(s);
                });
                return mine!;
            });
            var syscall = await Fiber.AwaitAsync(worker);
            refused = await TestKit.CatchAsync<ArgumentException>(async () => await Fiber.SuspendAgainAsync(syscall, _ => Assert.Fail("never registered")));
        }, TestKit.Fifo with { Domains = 1, Events = d => sources[d.Uid] = new ScriptedEvents() });

        Assert.That(refused?.Message, Does.Contain("does not belong to the current domain"));
    }

    [Test]
    public void A_cancelled_wait_on_a_reused_syscall_is_reported_with_that_wait_s_id()
    {
        var events = new ScriptedEvents();
        var ids = new List<int>();
        Fiber.Run(async () =>
        {
            Syscall? syscall = null;
            await Fiber.SuspendAsync("first", s =>
            {
                syscall = s;
                events.Ready(s);
            });
            var child = await Fiber.SpawnAsync(async () => await Fiber.SuspendAgainAsync(syscall!, s => ids.Add(s.Id)));
            await TestKit.Yields(3); // the child registers and parks
            await Fiber.CancelAsync(child);
            await Fiber.SuspendAgainAsync(syscall!, s => events.Ready(s)); // one more select, which receives the cancelled id
        }, With(events));

        Assert.That(ids, Has.Count.EqualTo(1));
        Assert.That(events.Cancelled, Is.EqualTo(ids));
    }

    [Test]
    public void A_reused_wait_allocates_nothing()
    {
        var events = new StaleSignals();
        long allocated = -1;
        Fiber.Run(async () =>
        {
            Syscall? syscall = null;
            Action<Syscall> register = s => events.Now = new Signal(s);
            await Fiber.SuspendAsync("first", s =>
            {
                syscall = s;
                register(s);
            });
            for (var i = 0; i < 100; i++)
            {
                await Fiber.SuspendAgainAsync(syscall!, register); // warm: the JIT's own allocations are not counted
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                await Fiber.SuspendAgainAsync(syscall!, register);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, With(events));

        Assert.That(allocated, Is.LessThan(1000), "bytes for 1,000 waits: none per wait");
    }

    [Test]
    public void Null_arguments_are_rejected_by_name()
    {
        var events = new ScriptedEvents();
        Syscall? used = null;
        Fiber.Run(async () => await Fiber.SuspendAsync("x", s =>
        {
            used = s;
            events.Ready(s);
        }), With(events));

        Assert.That(Assert.Throws<ArgumentNullException>(() => Fiber.SuspendAgainAsync(null!, _ => { }))?.ParamName, Is.EqualTo("syscall"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => Fiber.SuspendAgainAsync(used!, null!))?.ParamName, Is.EqualTo("register"));
    }

    /// <summary>
    /// An event source that returns <see cref="Now"/> once, <see cref="Keep"/> (a signal kept from an earlier wait) at every
    /// select while a <see cref="Fresh"/> wait is registered, and that wait's own signal from select
    /// <see cref="FreshAfter"/> on. Without <see cref="Keep"/> or <see cref="Fresh"/> it allocates nothing per select.
    /// </summary>
    private sealed class StaleSignals : IEvents
    {
        private readonly Signal[] _one = new Signal[1];

        internal Signal? Now { get; set; }

        internal Signal? Keep { get; set; }

        internal Syscall? Fresh { get; set; }

        internal int FreshAfter { get; set; }

        internal int Selects { get; private set; }

        internal int StaleReturned { get; private set; }

        public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
        {
            Selects++;
            if (Fresh is null)
            {
                if (Now is not { } now)
                {
                    return default;
                }

                Now = null;
                _one[0] = now;
                return _one;
            }

            var signals = new List<Signal>();
            if (Keep is { } stale)
            {
                signals.Add(stale);
                StaleReturned++;
            }

            if (Selects >= FreshAfter)
            {
                signals.Add(new Signal(Fresh));
                Fresh = null;
                Keep = null;
            }

            return signals.ToArray();
        }

        public void Interrupt()
        {
        }

        public void Dispose()
        {
        }
    }
}
