namespace Miou.Scheduling;

/// <summary>How the scheduler answers one scheduling point of a pending operation.</summary>
internal enum Answered
{
    /// <summary>Resume the task now.</summary>
    Resume,

    /// <summary>The operation needs another scheduling point.</summary>
    Again,

    /// <summary>The task is parked on its operation's target until a wake-up names it.</summary>
    Park,
}

/// <summary>
/// A synchronisation object that answers its own operations in the scheduler (<c>OpKind.Custom</c>): a fiber waiting on
/// it parks with no allocation — the object queues the task itself and wakes it with <c>DomainScheduler.Wake</c>, naming
/// itself. Used by <see cref="FiberMutex"/>, <see cref="FiberCondition"/> and <see cref="Computation{T}"/>. Not for users:
/// public only because those types derive from it.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public abstract class SchedulerOp
{
    private protected SchedulerOp()
    {
    }

    /// <summary>
    /// Answers one scheduling point for <paramref name="task"/>, on its domain. <see cref="Promise.OpPhase"/> is the
    /// operation's own state; <see cref="Answered.Park"/> leaves the task parked on <see cref="Promise.OpTarget"/> (which the
    /// operation may retarget to another <see cref="SchedulerOp"/>).
    /// </summary>
    internal abstract Answered Answer(DomainScheduler domain, Promise task);

    /// <summary>
    /// The task is about to be resumed with a cancellation while this operation is pending: undo its registration (leave
    /// the wait queue, pass on what was handed to it). Runs on the task's domain; must not throw.
    /// </summary>
    internal abstract void Cancelled(Promise task);
}
