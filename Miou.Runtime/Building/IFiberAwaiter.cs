namespace Miou.Building;

/// <summary>
/// The internal suspend protocol: an awaiter Miou's builders accept. Its <c>UnsafeOnCompleted</c> is called with the
/// domain's <see cref="Scheduling.DomainScheduler.SuspendSentinel"/> and registers the suspension on that domain's running
/// task, where the builder has left the suspending frame. Awaiters are structs; the builder calls them through a constrained generic call, no boxing.
/// </summary>
internal interface IFiberAwaiter
{
}
