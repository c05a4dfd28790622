using System.Runtime.ExceptionServices;

namespace Miou.Scheduling;

/// <summary>What one <c>Fiber.Run</c> shares between its domains: options, ids, the count of live tasks, the fatal error.</summary>
internal sealed class RunContext
{
    private int _nextPromiseId;
    private long _liveTasks;
    private ExceptionDispatchInfo? _fatal;

    internal RunContext(RunOptions options)
    {
        Quanta = options.Quanta ?? EnvInt("MIOU_QUANTA") ?? 1;
        if (Quanta < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Quanta, "RunOptions.Quanta (or MIOU_QUANTA) must be at least 1.");
        }

        WorkerCount = options.Domains ?? EnvInt("MIOU_DOMAINS") ?? Math.Max(0, Environment.ProcessorCount - 1);
        if (WorkerCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), WorkerCount, "RunOptions.Domains (or MIOU_DOMAINS) must not be negative.");
        }

        if (WorkerCount > RunOptions.MaxDomains)
        {
            throw new ArgumentOutOfRangeException(nameof(options), WorkerCount,
                $"RunOptions.Domains (or MIOU_DOMAINS) must be at most RunOptions.MaxDomains ({RunOptions.MaxDomains}): every worker domain is a thread of its own.");
        }

        if (!Enum.IsDefined(options.Policy))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Policy, "RunOptions.Policy is not a SchedulingPolicy value.");
        }

        Seed = options.Seed ?? EnvSeed() ?? (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
        Policy = options.Policy;
        Events = options.Events;
        Trace = options.Trace;
        OnUnobservedError = options.OnUnobservedError ?? ((what, e) => Console.Error.WriteLine($"miou: {what}: {e}"));
    }

    internal int Quanta { get; }

    internal int WorkerCount { get; }

    internal ulong Seed { get; }

    internal SchedulingPolicy Policy { get; }

    internal Func<Domain, IEvents>? Events { get; }

    internal Action<TraceEvent>? Trace { get; }

    internal Action<string, Exception> OnUnobservedError { get; }

    /// <summary>dom0 first, then the workers in uid order (1, 2, …).</summary>
    internal DomainScheduler[] Domains { get; set; } = [];

    /// <summary>Set when the run ends: workers leave their loop.</summary>
    internal bool Stopping => Volatile.Read(ref _stopping);

    private bool _stopping;

    internal void Stop()
    {
        Volatile.Write(ref _stopping, true);
        foreach (var domain in Domains)
        {
            domain.Interrupt();
        }
    }

    /// <summary>
    /// Whether tasks may run on more than one domain's thread: set, for good, by dom0's thread just before the run's first
    /// task is started on another domain. Until then only dom0's thread creates promises and starts and ends tasks, so
    /// the id and live-task counters need no interlocked operation (three per spawned child, each one draining the store
    /// buffer after the promise's allocation and initialisation: 9% of spawn+await's profile). The worker that receives
    /// that first task sees the flag set: the start message that hands it the task is posted after it was written.
    /// </summary>
    private bool _multiDomain;

    /// <summary>Called on the spawning domain's thread before a task is started on another domain (see <see cref="_multiDomain"/>).</summary>
    internal void GoingMultiDomain() => _multiDomain = true;

    internal int NextPromiseId() => _multiDomain ? Interlocked.Increment(ref _nextPromiseId) : ++_nextPromiseId;

    internal long LiveTasks => Volatile.Read(ref _liveTasks);

    internal void TaskCreated()
    {
        if (_multiDomain)
        {
            Interlocked.Increment(ref _liveTasks);
        }
        else
        {
            _liveTasks++;
        }
    }

    internal void TaskEnded()
    {
        if ((_multiDomain ? Interlocked.Decrement(ref _liveTasks) : --_liveTasks) == 0)
        {
            Domains[0].Interrupt(); // the run is over: dom0 may be waiting for a task that ended on a worker
        }
    }

    internal ExceptionDispatchInfo? Fatal => Volatile.Read(ref _fatal);

    /// <summary>Records a fatal error (the first one wins) and wakes every domain so the run stops.</summary>
    internal void Fail(ExceptionDispatchInfo error)
    {
        if (Interlocked.CompareExchange(ref _fatal, error, null) is null)
        {
            foreach (var domain in Domains)
            {
                domain.Interrupt();
            }
        }
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : null;

    private static ulong? EnvSeed() =>
        ulong.TryParse(Environment.GetEnvironmentVariable("MIOU_SEED"), out var value) ? value : null;
}
