namespace Miou;

/// <summary>
/// A domain's event source (spec §5): how tasks suspended on system events (<see cref="Fiber.Suspend(Syscall, Action?)"/>)
/// get resumed. <see cref="RunOptions.Events"/> creates one per domain, on that domain's thread; <c>Miou.Unix</c>
/// implements it with epoll. Disposing it is its finaliser: the domain calls <see cref="IDisposable.Dispose"/> once, when it
/// stops.
/// </summary>
public interface IEvents : IDisposable
{
    /// <summary>
    /// Returns the signals (built with <see cref="Signal(Syscall)"/>) of the suspensions that may resume now. Called by the
    /// domain's own thread only while at least one of its tasks is suspended: after every scheduling step with
    /// <paramref name="block"/> false (it must not wait), and with <paramref name="block"/> true when the domain has nothing
    /// else to do (it may wait until an event, a deadline or <see cref="Interrupt"/>). The span may be backed by a buffer the
    /// source reuses at the next call; signals for unknown or already-resumed syscalls are ignored.
    /// </summary>
    /// <param name="block">Whether the call may wait.</param>
    /// <param name="cancelledSyscalls">Ids of the syscalls whose tasks were cancelled since the previous call: forget them.</param>
    ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls);

    /// <summary>
    /// Makes a concurrent or the next blocking <see cref="Select"/> return promptly. Called from any thread whenever something
    /// for this domain changed; must not block, must tolerate spurious calls, and may be called after disposal.
    /// </summary>
    void Interrupt();
}
