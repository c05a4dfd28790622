namespace Miou.Building;

/// <summary>
/// The internal suspend protocol: an awaiter Miou's builders accept. Its <c>UnsafeOnCompleted</c> is called with
/// <see cref="FiberBox.SuspendSentinel"/> and registers the suspension on the current task, where the builder has left
/// the suspending frame. Awaiters are structs; the builder calls them through a constrained generic call, no boxing.
/// </summary>
internal interface IFiberAwaiter
{
}
