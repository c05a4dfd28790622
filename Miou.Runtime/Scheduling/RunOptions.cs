namespace Miou;

/// <summary>How <see cref="Fiber.Run{T}(Func{Fiber{T}}, RunOptions?)"/> runs a program. Every property has a default.</summary>
public sealed record RunOptions
{
    /// <summary>
    /// Number of worker domains (threads created for the run and joined when it ends) besides dom0, the thread that calls
    /// <c>Run</c>. <c>Fiber.Call</c> and <c>Fiber.Parallel</c> run children on them. Default: the environment variable
    /// <c>MIOU_DOMAINS</c>, else the processor count minus one. 0 is allowed: then <c>Call</c> and <c>Parallel</c> throw
    /// <see cref="NoDomainAvailableException"/>. At most <see cref="MaxDomains"/>.
    /// </summary>
    public int? Domains { get; init; }

    /// <summary>
    /// The largest <see cref="Domains"/> accepted: 1,023 workers (1,024 domains with dom0). Every worker is a thread with its
    /// own event source, created for the run; a count beyond any machine's cores is a mistake, reported before anything
    /// runs rather than as threads that cannot be created halfway through the start.
    /// </summary>
    public const int MaxDomains = 1023;

    /// <summary>
    /// How many operations (scheduling points) a task may perform before it yields its domain. Default: the environment
    /// variable <c>MIOU_QUANTA</c>, else 1 (every operation yields, as in the original).
    /// </summary>
    public int? Quanta { get; init; }

    /// <summary>
    /// The seed of the run's random choices (which task runs next under <see cref="SchedulingPolicy.Random"/>, which of
    /// several finished promises <c>AwaitFirst</c> returns, …). Default: the environment variable <c>MIOU_SEED</c>, else
    /// a fresh random seed. The seed in use is in the message of any Miou exception that escapes <c>Run</c>.
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>How a domain picks the next runnable task. Default: <see cref="SchedulingPolicy.Random"/>.</summary>
    public SchedulingPolicy Policy { get; init; } = SchedulingPolicy.Random;

    /// <summary>
    /// The per-domain event source: called once per domain, on that domain's thread, when it starts (dom0 first). The
    /// source resumes tasks suspended with <see cref="Fiber.Suspend(Syscall, Action?)"/>. Default: none; a task that suspends
    /// then is a fatal <see cref="NoEventSourceException"/>.
    /// </summary>
    public Func<Domain, IEvents>? Events { get; init; }

    /// <summary>
    /// A consumer of trace events (spawn, await, cancel, suspend, resume, …), called on the domain's thread. It must be
    /// quick and must not call Miou operations. An exception it throws is fatal: the run stops and <c>Run</c> throws it.
    /// Default: none (tracing costs nothing).
    /// </summary>
    public Action<TraceEvent>? Trace { get; init; }

    /// <summary>
    /// Where errors that have nowhere else to go are reported: a hook that threw (it is removed), a resource finaliser that
    /// threw while its task was torn down (or after a fatal error), an exception a cancelled task threw instead of its
    /// cancellation (its outcome stays the cancellation). Default: written to standard error.
    /// </summary>
    public Action<string, Exception>? OnUnobservedError { get; init; }
}
