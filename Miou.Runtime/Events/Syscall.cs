using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A suspension token (spec §5.1): created by a task with <see cref="Fiber.Syscall(string?)"/>, registered in an event source,
/// and suspended on with <see cref="Fiber.Suspend(Syscall, Action?)"/> until the source's <see cref="IEvents.Select"/> returns its
/// <see cref="Signal"/>. It belongs to the task and domain that created it, and is single-use.
/// </summary>
public sealed class Syscall
{
    private static int s_nextId;

    internal Syscall(Promise owner, string? name)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Owner = owner;
        Name = name ?? Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A process-wide unique id (what <see cref="IEvents.Select"/> receives for cancelled syscalls).</summary>
    public int Id { get; }

    /// <summary>A name for tracing (Miou.Unix uses "read", "write", "accept", "connect", "sleep").</summary>
    public string Name { get; }

    /// <summary>The domain that owns the syscall: only its event source may resume it.</summary>
    public Domain Domain => new(Owner.Domain.Uid);

    internal Promise Owner { get; }

    internal Trigger Trigger { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => $"syscall '{Name}' #{Id}";
}

/// <summary>What an event source returns from <see cref="IEvents.Select"/> to resume a suspended task.</summary>
public readonly struct Signal
{
    /// <summary>The signal that resumes <paramref name="syscall"/>. Must be built on the syscall's domain.</summary>
    /// <exception cref="ArgumentException">Not on the syscall's domain.</exception>
    public Signal(Syscall syscall)
    {
        ArgumentNullException.ThrowIfNull(syscall);
        if (!syscall.Owner.Domain.IsCurrentThread)
        {
            throw new ArgumentException($"This syscall does not belong to the current domain: {syscall} belongs to {syscall.Domain}.", nameof(syscall));
        }

        Syscall = syscall;
    }

    /// <summary>The syscall it resumes.</summary>
    public Syscall Syscall { get; }

    internal void Apply(DomainScheduler domain) => Syscall?.Trigger.Signal();
}

/// <summary>The event source of a run that has none: waiting for it is a fatal error that says so.</summary>
internal static class NoEvents
{
    internal static string Message(DomainScheduler domain) =>
        $"A task on {new Domain(domain.Uid)} suspended on a system event ({domain.LastSuspended?.ToString() ?? "a syscall"}), but this " +
        "run has no event source, so nothing could ever resume it. Run the program with an event source: Miou.Unix's run " +
        "entry point for I/O, or RunOptions.Events for your own.";
}
