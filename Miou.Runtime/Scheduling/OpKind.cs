namespace Miou.Scheduling;

/// <summary>
/// What a suspended task asked the scheduler for. Every Miou operation is a scheduling point (spec §1.3): the task goes
/// back to the run queue and the scheduler answers when it next dequeues it; some then park the task until an event.
/// </summary>
internal enum OpKind : byte
{
    /// <summary>Not suspended on an operation.</summary>
    None,

    /// <summary><see cref="Promise.OpPhase"/> more scheduling points, then resume (spawn, ownership, hooks, …).</summary>
    Points,

    /// <summary>One point that also ends the slot whatever the quanta.</summary>
    Yield,

    /// <summary>Await a child: who-am-I point (rule 2 check), registration point, then park until it terminates.</summary>
    Await,

    /// <summary>Await any of several children (await-one, await-first, orphans' get).</summary>
    AwaitAny,

    /// <summary>Cancel a child: who-am-I point, cancel point, then park until its subtree is torn down.</summary>
    Cancel,

    /// <summary>Park on a <see cref="Trigger"/> until it is signalled (lazy values, syscalls, the Task bridge).</summary>
    Trigger,

    /// <summary>An operation answered by its target, a <see cref="SchedulerOp"/> (mutex, condition, computation).</summary>
    Custom,
}

/// <summary>An operation as a task registers it: its kind, its target (<see cref="Promise.OpTarget"/>) and its first phase.</summary>
internal readonly record struct PendingOp(OpKind Op, object? Target = null, int Phase = 0);
