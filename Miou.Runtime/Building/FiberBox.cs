using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Miou.Building;

/// <summary>
/// The heap frame of an <c>async Fiber</c> method, allocated by its builder only on the first real suspension.
/// It holds the compiler's state machine, who to resume once it completes, and then how it completed.
/// Every field here is paid by every suspended fiber, so there are as few as possible: one link that is first the
/// continuation, then the outcome; the value, if any, only in the leaf type that needs one.
/// </summary>
internal abstract class FiberBox : FrameContinuation
{
    /// <summary>Marks a frame that completed with a value.</summary>
    private static readonly object Returned = new();

    /// <summary>
    /// While running: null, or the <see cref="FrameContinuation"/> to resume when it completes (set by the awaiting caller).
    /// Once complete: <see cref="Returned"/>, or the <see cref="ExceptionDispatchInfo"/> it failed with. The continuation is
    /// not needed after it has been resumed, so the two share one field.
    /// </summary>
    private object? _link;

    internal bool IsCompleted => ReferenceEquals(_link, Returned) || _link is ExceptionDispatchInfo;

    /// <summary>Whether a caller (or the task) already waits on this frame.</summary>
    internal bool HasContinuation => _link is not null && !IsCompleted;

    /// <summary>Sets who to resume when the frame completes; the frame has not completed yet.</summary>
    internal void SetContinuation(FrameContinuation continuation) => _link = continuation;

    /// <summary>Runs the state machine until its next suspension or its end.</summary>
    internal abstract void MoveNext();

    internal sealed override void OnCalleeCompleted(FiberBox callee) => MoveNext();

    internal bool IsErrored([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExceptionDispatchInfo? error)
    {
        error = _link as ExceptionDispatchInfo;
        return error is not null;
    }

    internal void SetException(Exception error) => Completed(ExceptionDispatchInfo.Capture(error));

    private protected void CompletedWithValue() => Completed(Returned);

    private protected void ThrowIfErrored() => (_link as ExceptionDispatchInfo)?.Throw();

    private void Completed(object outcome)
    {
        // Before completion the link is null or the continuation (see _link).
        var continuation = Unsafe.As<FrameContinuation?>(_link);
        _link = outcome;
        // A frame nobody awaits completes into the void: Promise.Register reports the discarded fiber as soon as the
        // caller suspends or returns without awaiting it, so a null continuation here is that same error, already raised.
        continuation?.OnCalleeCompleted(this);
    }
}

/// <summary>A frame of a fiber that completes with a <typeparamref name="T"/>.</summary>
internal abstract class FiberBox<T> : FiberBox
{
    internal abstract void SetResult(T result);

    /// <summary>The value, once the frame returned.</summary>
    internal abstract T Result { get; }

    internal T GetResult()
    {
        ThrowIfErrored();
        return Result;
    }
}

/// <summary>The frame of an <c>async Fiber&lt;T&gt;</c> method: its state machine and its value.</summary>
internal sealed class FiberBox<T, TStateMachine> : FiberBox<T> where TStateMachine : IAsyncStateMachine
{
    internal TStateMachine StateMachine = default!;
    private T _result = default!;

    internal override void MoveNext() => StateMachine.MoveNext();

    internal override void SetResult(T result)
    {
        _result = result;
        CompletedWithValue();
    }

    internal override T Result => _result;
}

/// <summary>The frame of an <c>async Fiber</c> method: its state machine only (no value to keep: 8 bytes less per frame).</summary>
internal sealed class VoidFiberBox<TStateMachine> : FiberBox<Unit> where TStateMachine : IAsyncStateMachine
{
    internal TStateMachine StateMachine = default!;

    internal override void MoveNext() => StateMachine.MoveNext();

    internal override void SetResult(Unit result) => CompletedWithValue();

    internal override Unit Result => default;
}
