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
    public static SyscallAwaitable SyscallAsync(string? name = null) => new(name);

    /// <summary>Suspends the calling task until the event source signals <paramref name="syscall"/> (direct style).</summary>
    [DirectStyle(nameof(SuspendAsync))]
    public static void Suspend(Syscall syscall, Action? onSuspend = null) => throw new NotInFiberException("Fiber.Suspend");

    /// <summary>
    /// Suspends the calling task until the domain's event source returns the <see cref="Signal"/> of
    /// <paramref name="syscall"/>. <paramref name="onSuspend"/> runs once the suspension is accepted (after the scheduling
    /// points where a pending cancellation would strike): register the syscall in the event source there. If it throws, the
    /// syscall is reported cancelled to the source and the exception is thrown here. If the task is cancelled while
    /// suspended, the source is told at its next <see cref="IEvents.Select"/>. A syscall is single-use: suspending on one
    /// already signalled returns at once. Two scheduling points, plus the wait; no allocation.
    /// </summary>
    /// <exception cref="ArgumentException">The syscall belongs to another task or domain.</exception>
    public static SuspendAwaitable SuspendAsync(Syscall syscall, Action? onSuspend = null)
    {
        ArgumentNullException.ThrowIfNull(syscall);
        return new(syscall, 2, onSuspend);
    }

    /// <summary>Creates a syscall and suspends on it in one operation, one scheduling point (direct style).</summary>
    [DirectStyle(nameof(SuspendAsync))]
    public static void Suspend(string name, Action<Syscall> register) => throw new NotInFiberException("Fiber.Suspend");

    /// <summary>
    /// Creates a syscall owned by the calling task and suspends on it: <paramref name="register"/> receives it once the
    /// suspension is accepted, to record it in the event source, and the task then waits for its <see cref="Signal"/>.
    /// The form for event sources on a hot path (Miou.Unix waits on descriptors and sleeps with it): <b>one</b> scheduling
    /// point, where a pending cancellation strikes before anything is registered, instead of the four of
    /// <see cref="SyscallAsync(string?)"/> followed by <see cref="SuspendAsync(Miou.Syscall, Action?)"/> (the original's
    /// <c>syscall</c> and <c>suspend</c>, spec §1.3); one object allocated, the syscall. Everything else is as for
    /// <see cref="SuspendAsync(Miou.Syscall, Action?)"/>: if <paramref name="register"/> throws, the syscall is reported
    /// cancelled to the source and the exception is thrown here; a cancellation while suspended is reported at the
    /// source's next <see cref="IEvents.Select"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="register"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called outside a fiber.</exception>
    public static SuspendAwaitable SuspendAsync(string name, Action<Syscall> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        var task = Suspension.CurrentTask("Fiber.SuspendAsync");
        return new(new Syscall(task, name), 1, register);
    }

    /// <summary>Suspends the calling task on a syscall once more, one scheduling point (direct style).</summary>
    [DirectStyle(nameof(SuspendAgainAsync))]
    public static void SuspendAgain(Syscall syscall, Action<Syscall> register) => throw new NotInFiberException("Fiber.SuspendAgain");

    /// <summary>
    /// <see cref="SuspendAsync(string, Action{Syscall})"/> without allocating: suspends the calling task on
    /// <paramref name="syscall"/>, which an earlier suspension on this domain used, instead of on a new syscall. For an
    /// event source that waits again and again on the same thing (Miou.Unix keeps one per socket and direction). The
    /// syscall becomes a new wait owned by the calling task: it gets a new <see cref="Syscall.Id"/> and is unsignalled, so
    /// a <see cref="Signal"/> built for an earlier wait on it is ignored. Everything else is as for
    /// <see cref="SuspendAsync(string, Action{Syscall})"/>: one scheduling point, where a pending cancellation strikes
    /// before anything is registered, then <paramref name="register"/> receives the syscall; if it throws, the syscall is
    /// reported cancelled (its new id) to the source and the exception is thrown here. As for any syscall, the event source
    /// must forget it when its wait ends otherwise than by its signal (the id in <c>cancelledSyscalls</c> names that wait).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="syscall"/> or <paramref name="register"/> is null.</exception>
    /// <exception cref="ArgumentException">The syscall belongs to another domain (thrown at the suspension point).</exception>
    /// <exception cref="InvalidOperationException">
    /// The syscall is in a suspension that has not ended (thrown at the suspension point; the syscall is left as it is).
    /// </exception>
    public static SuspendAwaitable SuspendAgainAsync(Syscall syscall, Action<Syscall> register)
    {
        ArgumentNullException.ThrowIfNull(syscall);
        ArgumentNullException.ThrowIfNull(register);
        return new(syscall, 1, register, again: true);
    }
}
