using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Miou.Tests.Domains;

/// <summary>
/// The original's <c>Miouc</c> virtual clock (miou-tests.md §0.2) for runs with worker domains: one tick shared by every
/// domain, advanced by the domains' <c>select</c> calls, at most one tick per call, never past the caller's next deadline.
/// <para>
/// This is a copy of <c>Support/Miouc.cs</c> with what several domains need (that one is written for dom0 alone and is
/// left untouched):
/// <list type="bullet">
/// <item>A blocking <see cref="IEvents.Select"/> waits one tick period (10 ms, as the original's real sleep) or until
/// <see cref="IEvents.Interrupt"/>, instead of returning at once: on a worker whose only task sleeps, returning at once
/// would spin and race the shared clock ahead as fast as the thread runs, so a bound such as C23's would measure the
/// thread scheduler instead of poll rounds. A non-blocking select never waits (the <see cref="IEvents"/> contract).</item>
/// <item>An interrupt since the previous call means "something to process": the call returns no signal and does not advance
/// the clock, as in the original; an interrupt during the wait ends it.</item>
/// <item>The clock starts only when <c>sleepers</c> sleeps have registered (or after a grace of 5 s). In the original the
/// sleepers of different domains register at slightly different times and the first one's domain may already have moved
/// the clock; here they all start at tick 0, so the bounds hold whatever the thread scheduling. If the sleeps could not run
/// at the same time, the grace lets the clock go on and the bound fails instead of the run hanging.</item>
/// <item>A domain advances the clock with a compare-and-swap, so two domains polling at once advance it once.</item>
/// </list>
/// </para>
/// </summary>
internal sealed class SharedClock(int sleepers)
{
    internal static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly long _created = Stopwatch.GetTimestamp();
    private int _tick;
    private int _registered;

    /// <summary>The current virtual time.</summary>
    public int Tick => Volatile.Read(ref _tick);

    /// <summary>How many sleeps have registered so far.</summary>
    public int Registered => Volatile.Read(ref _registered);

    /// <summary>Signalled when the clock starts: <c>sleepers</c> sleeps have registered.</summary>
    public Trigger Started { get; } = new();

    private bool IsStarted => Registered >= sleepers || Stopwatch.GetElapsedTime(_created) > Grace;

    /// <summary><paramref name="options"/> with a <see cref="ClockEvents"/> of this clock as every domain's event source.</summary>
    public RunOptions Options(RunOptions options) => options with { Events = _ => new ClockEvents(this) };

    /// <summary>
    /// <c>Miouc.sleep v</c>: a syscall, a sleeper due at <c>tick + v</c> in the current domain's heap, registered before the
    /// suspension (as in the original), then the suspension.
    /// </summary>
    public async Fiber SleepAsync(int ticks)
    {
        var syscall = await Fiber.SyscallAsync("sleep");
        ClockEvents.OfThisDomain(this).Add(syscall, Tick + ticks);
        if (Interlocked.Increment(ref _registered) == sleepers)
        {
            Started.Signal();
        }

        await Fiber.SuspendAsync(syscall);
    }

    /// <summary>The event source of one domain: its heap of sleepers.</summary>
    internal sealed class ClockEvents : IEvents
    {
        [ThreadStatic]
        private static ClockEvents? t_current;

        private readonly SharedClock _clock;
        private readonly ClockEvents? _previous;
        private readonly PriorityQueue<Sleeper, int> _sleepers = new();
        private readonly Dictionary<int, Sleeper> _byId = [];
        private readonly List<Signal> _due = [];
        private readonly ManualResetEventSlim _wake = new(); // not disposed: Interrupt may come after Dispose
        private int _interrupted;

        /// <summary>Created by the run on the domain's own thread, which makes it that domain's heap.</summary>
        public ClockEvents(SharedClock clock)
        {
            _clock = clock;
            _previous = t_current;
            t_current = this;
        }

        internal static ClockEvents OfThisDomain(SharedClock clock) =>
            t_current is { } events && ReferenceEquals(events._clock, clock)
                ? events
                : throw new InvalidOperationException("This domain has no event source of this clock: run with clock.Options(...).");

        internal void Add(Syscall syscall, int time)
        {
            var sleeper = new Sleeper(syscall, time);
            _byId[syscall.Id] = sleeper;
            _sleepers.Enqueue(sleeper, time);
        }

        public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
        {
            foreach (var id in cancelledSyscalls)
            {
                if (_byId.Remove(id, out var sleeper))
                {
                    sleeper.Cancelled = true;
                }
            }

            while (_sleepers.TryPeek(out var head, out _) && head.Cancelled)
            {
                _sleepers.Dequeue();
            }

            _due.Clear();
            if (Interlocked.Exchange(ref _interrupted, 0) != 0)
            {
                return default; // interrupted since the previous call: no clock advance
            }

            if (block)
            {
                _wake.Reset();
                if (Volatile.Read(ref _interrupted) == 0)
                {
                    _wake.Wait(Period); // one tick period, or until interrupted: not a busy loop
                }

                if (Interlocked.Exchange(ref _interrupted, 0) != 0)
                {
                    return default;
                }
            }

            if (!_clock.IsStarted || !_sleepers.TryPeek(out _, out var next))
            {
                return default;
            }

            var now = _clock.Tick;
            if (next > now)
            {
                // One tick at most; if another domain advanced the clock meanwhile, this call does not.
                now = Interlocked.CompareExchange(ref _clock._tick, now + 1, now) == now ? now + 1 : _clock.Tick;
            }

            while (_sleepers.TryPeek(out var head, out var time) && time <= now)
            {
                _sleepers.Dequeue();
                if (!head.Cancelled)
                {
                    _byId.Remove(head.Syscall.Id);
                    _due.Add(new Signal(head.Syscall));
                }
            }

            return CollectionsMarshal.AsSpan(_due);
        }

        public void Interrupt()
        {
            Volatile.Write(ref _interrupted, 1);
            _wake.Set();
        }

        /// <summary>The original's finaliser does nothing; this one only stops being the domain's heap.</summary>
        public void Dispose()
        {
            if (ReferenceEquals(t_current, this))
            {
                t_current = _previous;
            }
        }

        private sealed class Sleeper(Syscall syscall, int time)
        {
            public Syscall Syscall { get; } = syscall;

            public int Time { get; } = time;

            public bool Cancelled { get; set; }
        }
    }
}
