using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Miou.Building;

/// <summary>
/// The heap frame of an <c>async Fiber</c> method, allocated by its builder only on the first real suspension.
/// It holds the compiler's state machine, the result once complete, and who to resume then.
/// </summary>
internal abstract class FiberBox : FrameContinuation
{
    /// <summary>
    /// Passed to an awaiter's <c>UnsafeOnCompleted</c> by Miou's builders: "register on the current task, the suspending
    /// frame is in the domain's <c>SuspendingFrame</c>". No delegate is ever invoked through it.
    /// </summary>
    internal static readonly Action SuspendSentinel = static () => throw new InvalidOperationException("Miou's suspension sentinel is never invoked.");

    /// <summary>Marks a frame that completed with a value.</summary>
    private protected static readonly object Returned = new();

    /// <summary>The frame (or task) to resume when this one completes; set by the awaiting caller.</summary>
    internal FrameContinuation? Continuation;

    /// <summary>null while running; <see cref="Returned"/>, or the <see cref="ExceptionDispatchInfo"/> it failed with.</summary>
    private protected object? State;

    internal bool IsCompleted => State is not null;

    /// <summary>Runs the state machine until its next suspension or its end.</summary>
    internal abstract void MoveNext();

    internal sealed override void OnCalleeCompleted(FiberBox callee) => MoveNext();

    internal abstract bool IsErrored([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExceptionDispatchInfo? error);

    private protected void Completed(object state)
    {
        State = state;
        // A frame nobody awaits completes into the void: Promise.Register reports the discarded fiber as soon as the
        // caller suspends or returns without awaiting it, so a null continuation here is that same error, already raised.
        Continuation?.OnCalleeCompleted(this);
    }
}

internal abstract class FiberBox<T> : FiberBox
{
    private T _result = default!;

    internal void SetResult(T result)
    {
        _result = result;
        Completed(Returned);
    }

    internal void SetException(Exception error) => Completed(ExceptionDispatchInfo.Capture(error));


    internal T Result => _result;

    internal override bool IsErrored([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExceptionDispatchInfo? error)
    {
        error = State as ExceptionDispatchInfo;
        return error is not null;
    }

    internal T GetResult()
    {
        (State as ExceptionDispatchInfo)?.Throw();
        return _result;
    }
}

internal sealed class FiberBox<T, TStateMachine> : FiberBox<T> where TStateMachine : IAsyncStateMachine
{
    internal TStateMachine StateMachine = default!;

    internal override void MoveNext() => StateMachine.MoveNext();
}
