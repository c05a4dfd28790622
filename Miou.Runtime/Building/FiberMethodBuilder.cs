using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Miou.Building;

/// <summary>
/// The async method builder of the void task-like <see cref="Fiber"/>; see <see cref="FiberMethodBuilder{T}"/>. It has
/// no value to keep, so its only field is the slot for the frame or the synchronous failure, and its frame is a
/// <see cref="VoidFiberBox{TStateMachine}"/>: 16 bytes less per suspended fiber than a <c>Fiber&lt;Unit&gt;</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct FiberMethodBuilder
{
    private object? _boxOrError; // see BuilderCore

    /// <summary>Creates a builder.</summary>
    public static FiberMethodBuilder Create() => default;

    /// <summary>Runs the state machine until its first suspension.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();

    /// <summary>Not used.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>Completes the fiber.</summary>
    public void SetResult() => (_boxOrError as FiberBox<Unit>)?.SetResult(default);

    /// <summary>Completes the fiber with an exception.</summary>
    public void SetException(Exception exception) => BuilderCore.SetException(ref _boxOrError, exception);

    /// <summary>The fiber returned to the caller.</summary>
    public Fiber Task => _boxOrError is null ? default : new(_boxOrError switch // null first: a fiber that completed at once
    {
        FiberBox<Unit> box => new Fiber<Unit>(box),
        ExceptionDispatchInfo error => new Fiber<Unit>(error),
        _ => default,
    });

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        throw BuilderCore.ForeignAwaitable(typeof(TAwaiter));

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        BuilderCore.Suspend(ref awaiter, _boxOrError as FiberBox<Unit> ?? Box(ref stateMachine));

    private FiberBox<Unit> Box<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var box = new VoidFiberBox<TStateMachine>();
        _boxOrError = box; // before the copy below, so that the boxed state machine's builder knows its box
        box.StateMachine = stateMachine;
        return box;
    }
}
