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

    /// <param name="answersWithoutCode">
    /// Whether <see cref="Answer"/> never runs code that may ask for the current task (a user callback, a trace consumer
    /// aside): then the scheduler need not store the task as its domain's running task before answering (see
    /// <see cref="AnswersWithoutCode"/>).
    /// </param>
    private protected SchedulerOp(bool answersWithoutCode) => AnswersWithoutCode = answersWithoutCode;

    /// <summary>
    /// Whether <see cref="Answer"/> runs no code that may ask for the current task: it only reads and writes the object's
    /// own state, the task given to it and the domains' queues (a mutex, a condition wait). The scheduler then stores the
    /// task as its domain's running task only when the answer resumes it, as for a yield (a reference store and its GC
    /// write barrier fewer for an answer that parks the task or asks for another point). False for an operation that may
    /// run a user's callback (a syscall's registration) or take a lock that reads the thread (a computation).
    /// </summary>
    internal readonly bool AnswersWithoutCode;

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
