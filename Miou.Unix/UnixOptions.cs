namespace Miou.Unix;

/// <summary>Tuning of the Miou.Unix event loop. Every property has a default.</summary>
public sealed record UnixOptions
{
    /// <summary>The defaults.</summary>
    public static UnixOptions Default { get; } = new();

    /// <summary>
    /// While tasks are runnable, the runtime polls the event source after every scheduling step; the loop asks the kernel
    /// (a non-blocking <c>epoll_wait</c>) only every <c>PollInterval</c>-th time and otherwise only expires sleepers. When
    /// the domain has nothing else to run it always waits in the kernel. 1 polls at every step, as the original does.
    /// Default: the environment variable <c>MIOU_POLL_INTERVAL</c>, else 61 (a prime, so it does not beat with a task's
    /// own loop of scheduling points).
    /// </summary>
    public int PollInterval { get; init; } = int.TryParse(Environment.GetEnvironmentVariable("MIOU_POLL_INTERVAL"), out var n) && n > 0 ? n : 61;
}
