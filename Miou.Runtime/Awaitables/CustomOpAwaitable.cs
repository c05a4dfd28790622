using System.ComponentModel;
using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// The awaitable of an operation answered by a synchronisation object in the scheduler (mutex lock, condition wait,
/// computation await): no allocation. Only awaitable inside <c>async Fiber</c> methods.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct OpAwaitable : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly SchedulerOp _op;

    internal OpAwaitable(SchedulerOp op) => _op = op;

    /// <summary>Gets the awaiter.</summary>
    public OpAwaitable GetAwaiter() => this;

    /// <summary>Always false: every Miou operation is a scheduling point.</summary>
    public bool IsCompleted => false;

    /// <summary>Throws what the operation answered (a broken rule, a cancellation), if anything.</summary>
    public void GetResult() => Suspension.Resumed();

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, OpKind.Custom, _op);
}

/// <summary>The awaitable of <see cref="Computation{T}.AwaitAsync"/>: resumes with the computation's outcome.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ComputationAwaitable<T> : ICriticalNotifyCompletion, IFiberAwaiter
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
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, OpKind.Custom, _computation);
}

/// <summary>The awaitable of <see cref="Computation{T}.AwaitValueAsync"/>: the value, or the exception rethrown.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ComputationValueAwaitable<T> : ICriticalNotifyCompletion, IFiberAwaiter
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
}
