namespace Miou;

/// <summary>What a <see cref="TraceEvent"/> reports.</summary>
public enum TraceKind
{
    /// <summary>A task was spawned; <see cref="TraceEvent.Other"/> is its parent, <see cref="TraceEvent.Name"/> its spawn site.</summary>
    Spawn,

    /// <summary>A task's body started.</summary>
    Start,

    /// <summary>A task parked (awaiting a child, a trigger, …); <see cref="TraceEvent.Other"/> is the awaited promise, if any.</summary>
    Await,

    /// <summary>A parked task was woken.</summary>
    Resume,

    /// <summary>A task asked to cancel a child; <see cref="TraceEvent.Other"/> is the child.</summary>
    Cancel,

    /// <summary>A task's cancellation was processed.</summary>
    Cancelled,

    /// <summary>A task suspended on a syscall; <see cref="TraceEvent.Name"/> is the syscall's name.</summary>
    Suspend,

    /// <summary>A task resumed from a syscall.</summary>
    Continue,

    /// <summary>A task's body finished (normally or not).</summary>
    Done,

    /// <summary>A task took ownership of a resource (<see cref="TraceEvent.Other"/>).</summary>
    Own,

    /// <summary>A task gave up a resource (<see cref="TraceEvent.Other"/>).</summary>
    Disown,

    /// <summary>Rule 2 broken: a task awaited or cancelled a promise (<see cref="TraceEvent.Other"/>) that is not its child.</summary>
    NotAChild,

    /// <summary>Rule 1 broken: a task returned with children left.</summary>
    StillHasChildren,

    /// <summary>A task returned normally owning resources.</summary>
    ResourceLeaked,

    /// <summary>A task used a resource (<see cref="TraceEvent.Other"/>) it does not own.</summary>
    NotOwner,
}

/// <summary>One event reported to <see cref="RunOptions.Trace"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="PromiseId">The task it happened to.</param>
/// <param name="Other">Another promise or resource involved, or 0.</param>
/// <param name="Domain">The uid of the domain that reported it.</param>
/// <param name="Name">A spawn site or syscall name, when there is one.</param>
public readonly record struct TraceEvent(TraceKind Kind, int PromiseId, int Other, int Domain, string? Name);
