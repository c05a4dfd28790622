namespace Miou.Tests.Support;

/// <summary>
/// The virtual clock of the original suite's <c>Miouc</c> (miou-tests.md §0.2): a tick shared by every domain of a run,
/// advanced only by the domains' <see cref="IEvents.Select"/> calls, at most one tick per call. Bounds on the tick after a
/// run therefore count poll rounds, not time. One clock per test replaces the original's global <c>tick</c> and its
/// <c>Miouc.reset ()</c>.
/// </summary>
public sealed class VirtualClock
{
    private int _tick;
    private int _registered;

    /// <summary>The current virtual time.</summary>
    public int Tick => Volatile.Read(ref _tick);

    /// <summary>How many sleeps have registered so far (whether or not they ended).</summary>
    public int Registered => Volatile.Read(ref _registered);

    /// <summary><paramref name="options"/> with this clock's <see cref="Miouc"/> as every domain's event source.</summary>
    public RunOptions Options(RunOptions options) => options with { Events = _ => new Miouc(this) };

    /// <summary>
    /// The original's <c>Miouc.sleep v</c>: take a syscall, register a sleeper due at <c>tick + v</c> in the current
    /// domain's heap <b>before</b> suspending (no <c>onSuspend</c>, as in the original), then suspend on it.
    /// </summary>
    public async Fiber SleepAsync(int ticks)
    {
        var syscall = await Fiber.SyscallAsync("sleep");
        Miouc.OfThisDomain(this).Add(syscall, Tick + ticks);
        Interlocked.Increment(ref _registered);
        await Fiber.SuspendAsync(syscall);
    }

    /// <summary>Advances the clock by <paramref name="by"/> and returns the new time.</summary>
    internal int Advance(int by) => Interlocked.Add(ref _tick, by);
}

/// <summary>
/// One domain's event source for a <see cref="VirtualClock"/>: a min-heap of sleepers, lazily cancelled. Each
/// <see cref="Select"/> advances the shared clock by at most one tick — by none when an <see cref="Interrupt"/> arrived
/// since the previous call — and resumes the sleepers that are due.
/// <para>
/// The original also sleeps 10 ms of real time in every <c>select</c>, to let the other domains make progress between
/// ticks. A virtual clock needs no real sleep: no case of this suite runs worker domains, and the bounds the cases check
/// are in ticks, so <see cref="Select"/> returns at once, even when asked to block (the domain then simply polls again).
/// </para>
/// </summary>
public sealed class Miouc : IEvents
{
    [ThreadStatic]
    private static Miouc? t_current;

    private readonly VirtualClock _clock;
    private readonly Miouc? _previous;
    private readonly PriorityQueue<Sleeper, int> _sleepers = new();
    private readonly Dictionary<int, Sleeper> _byId = [];
    private readonly List<Signal> _due = [];
    private int _interrupted;

    /// <summary>Created by the run on the domain's own thread, which makes it that domain's heap.</summary>
    public Miouc(VirtualClock clock)
    {
        _clock = clock;
        _previous = t_current;
        t_current = this;
    }

    /// <summary>Syscall ids reported cancelled to <see cref="Select"/>, in order.</summary>
    public List<int> CancelledReported { get; } = [];

    internal static Miouc OfThisDomain(VirtualClock clock) =>
        t_current is { } events && ReferenceEquals(events._clock, clock)
            ? events
            : throw new InvalidOperationException("This domain has no Miouc for this clock: run with clock.Options(...).");

    internal void Add(Syscall syscall, int time)
    {
        var sleeper = new Sleeper(syscall, time);
        _byId[syscall.Id] = sleeper;
        _sleepers.Enqueue(sleeper, time);
    }

    /// <inheritdoc/>
    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        foreach (var id in cancelledSyscalls)
        {
            CancelledReported.Add(id);
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
            return default; // interrupted: no clock advance
        }

        var step = _sleepers.TryPeek(out var next, out _) ? Math.Clamp(next.Time - _clock.Tick, 0, 1) : 0;
        var now = _clock.Advance(step);
        while (_sleepers.TryPeek(out var head, out var time) && (time == 0 || time <= now))
        {
            _sleepers.Dequeue();
            if (!head.Cancelled)
            {
                _byId.Remove(head.Syscall.Id);
                _due.Add(new Signal(head.Syscall));
            }
        }

        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_due);
    }

    /// <inheritdoc/>
    public void Interrupt() => Volatile.Write(ref _interrupted, 1);

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
