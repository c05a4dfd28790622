using Miou.Scheduling;

namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>Creates a suspension token for the calling task (direct style).</summary>
    [DirectStyle(nameof(SyscallAsync))]
    public static Syscall Syscall(string? name = null) => throw new NotInFiberException("Fiber.Syscall");

    /// <summary>
    /// Creates a suspension token owned by the calling task and its domain: register it in the domain's event source, then
    /// <see cref="SuspendAsync(Miou.Syscall, Action?)"/> on it. Two scheduling points.
    /// </summary>
    public static async Fiber<Syscall> SyscallAsync(string? name = null)
    {
        await PointAwaitable.Points(2);
        return new Syscall(DomainScheduler.CurrentTask!, name);
    }

    /// <summary>Suspends the calling task until the event source signals <paramref name="syscall"/> (direct style).</summary>
    [DirectStyle(nameof(SuspendAsync))]
    public static void Suspend(Syscall syscall, Action? onSuspend = null) => throw new NotInFiberException("Fiber.Suspend");

    /// <summary>
    /// Suspends the calling task until the domain's event source returns the <see cref="Signal"/> of
    /// <paramref name="syscall"/>. <paramref name="onSuspend"/> runs once the suspension is accepted (after the scheduling
    /// points where a pending cancellation would strike): register the syscall in the event source there. If it throws, the
    /// syscall is reported cancelled to the source and the exception is thrown here. If the task is cancelled while
    /// suspended, the source is told at its next <see cref="IEvents.Select"/>. A syscall is single-use: suspending on one
    /// already signalled returns at once.
    /// </summary>
    /// <exception cref="ArgumentException">The syscall belongs to another task or domain.</exception>
    public static async Fiber SuspendAsync(Syscall syscall, Action? onSuspend = null)
    {
        ArgumentNullException.ThrowIfNull(syscall);
        await PointAwaitable.Points(2);
        var me = DomainScheduler.CurrentTask!;
        var domain = me.Domain;
        if (!ReferenceEquals(syscall.Owner, me))
        {
            throw new ArgumentException($"This syscall does not belong to the current promise: {syscall} was created by {syscall.Owner.Describe()}, not {me.Describe()}.", nameof(syscall));
        }

        if (!domain.IsCurrentThread)
        {
            throw new ArgumentException($"This syscall does not belong to the current domain: {syscall} belongs to {syscall.Domain}.", nameof(syscall));
        }

        try
        {
            onSuspend?.Invoke();
        }
        catch
        {
            domain.SyscallCancelled(syscall.Id);
            throw;
        }

        domain.PendingSuspensions++;
        domain.LastSuspended = syscall;
        domain.Trace(TraceKind.Suspend, me, syscall.Id, syscall.Name);
        try
        {
            await syscall.Trigger.AwaitAsync();
        }
        catch (CancelledException)
        {
            domain.SyscallCancelled(syscall.Id);
            throw;
        }
        finally
        {
            domain.PendingSuspensions--;
            domain.Trace(TraceKind.Continue, me, syscall.Id, syscall.Name);
        }
    }
}
