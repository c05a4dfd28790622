using System.ComponentModel;
using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// The awaitable of an operation that resumes with nothing: one or more scheduling points (yield, ownership, hooks…), a
/// park on a <see cref="Trigger"/>, or an operation answered by a synchronisation object in the scheduler (mutex lock,
/// condition wait). No allocation. Only awaitable inside <c>async Fiber</c> methods.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct OpAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly OpKind _op;
    private readonly object? _target;
    private readonly int _phase;

    private OpAwaitable(OpKind op, object? target, int phase)
    {
        _op = op;
        _target = target;
        _phase = phase;
    }

    /// <summary>One scheduling point that also ends the slot.</summary>
    internal static OpAwaitable Yield => new(OpKind.Yield, null, 1);

    /// <summary><paramref name="count"/> scheduling points.</summary>
    internal static OpAwaitable Points(int count) => new(OpKind.Points, null, count);

    /// <summary>A park until <paramref name="trigger"/> is signalled.</summary>
    internal static OpAwaitable On(Trigger trigger) => new(OpKind.Trigger, trigger, 0);

    /// <summary>An operation <paramref name="op"/> answers in the scheduler.</summary>
    internal static OpAwaitable On(SchedulerOp op) => new(OpKind.Custom, op, 0);

    /// <summary>Gets the awaiter.</summary>
    public OpAwaitable GetAwaiter() => this;

    /// <summary>Always false: every Miou operation is a scheduling point.</summary>
    public bool IsCompleted => false;

    /// <summary>Throws what the scheduler answered (a broken rule, a cancellation), if anything.</summary>
    public void GetResult() => Suspension.Resumed();

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(_op, _target, _phase);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of <see cref="Computation{T}.AwaitAsync"/>: resumes with the computation's outcome.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ComputationAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Computation<T> _computation;

    internal ComputationAwaitable(Computation<T> computation) => _computation = computation;

    /// <summary>Gets the awaiter.</summary>
    public ComputationAwaitable<T> GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>The computation's outcome.</summary>
    public Result<T> GetResult()
    {
        Suspension.Resumed();
        return _computation.Peek() ?? throw new InvalidOperationException("Miou internal error: a computation await resumed before completion.");
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Custom, _computation);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of <see cref="Computation{T}.AwaitValueAsync"/>: the value, or the exception rethrown.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ComputationValueAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly ComputationAwaitable<T> _inner;

    internal ComputationValueAwaitable(Computation<T> computation) => _inner = new(computation);

    /// <summary>Gets the awaiter.</summary>
    public ComputationValueAwaitable<T> GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>The value, or the exception rethrown with its original stack trace.</summary>
    public T GetResult() => _inner.GetResult().ValueOrThrow();

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    internal PendingOp Operation => _inner.Operation;

    PendingOp IOperationAwaiter.Operation => Operation;
}
