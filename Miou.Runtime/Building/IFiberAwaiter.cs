namespace Miou.Building;

/// <summary>
/// The internal suspend protocol: an awaiter Miou's builders accept. Its <c>UnsafeOnCompleted</c> is called with the
/// domain's <see cref="Scheduling.DomainScheduler.SuspendSentinel"/> and registers the suspension on that domain's running
/// task, where the builder has left the suspending frame. Awaiters are structs; the builder calls them through a constrained generic call, no boxing.
/// </summary>
internal interface IFiberAwaiter
{
}

/// <summary>
/// An awaiter of one Miou operation that tells the builder what it registers, so that the builder registers it on the
/// running task itself: no sentinel, no <see cref="Scheduling.DomainScheduler.SuspendingFrame"/> store (a GC write barrier
/// per suspension whenever another frame suspended last). Awaiters that need more (a nested fiber, a syscall) keep the
/// <c>UnsafeOnCompleted</c> protocol.
/// </summary>
internal interface IOperationAwaiter : IFiberAwaiter
{
    Scheduling.PendingOp Operation { get; }
}
