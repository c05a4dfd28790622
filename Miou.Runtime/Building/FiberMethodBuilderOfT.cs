using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Miou.Building;

/// <summary>
/// The async method builder of <see cref="Fiber{T}"/>. It captures no <see cref="ExecutionContext"/> or
/// <see cref="SynchronizationContext"/>, uses no <see cref="Task"/>, and allocates the frame only on a real suspension.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct FiberMethodBuilder<T>
{
    private object? _boxOrError; // see BuilderCore
    private T _result;

    /// <summary>Creates a builder.</summary>
    public static FiberMethodBuilder<T> Create() => default;

    /// <summary>Runs the state machine until its first suspension, on the calling thread, with no context capture.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();

    /// <summary>Not used: the frame is boxed by the builder itself.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>Completes the fiber with a value.</summary>
    public void SetResult(T result)
    {
        if (_boxOrError is FiberBox<T> box)
        {
            box.SetResult(result);
        }
        else
        {
            _result = result;
        }
    }

    /// <summary>Completes the fiber with an exception.</summary>
    public void SetException(Exception exception) => BuilderCore.SetException(ref _boxOrError, exception);

    /// <summary>The fiber returned to the caller.</summary>
    public Fiber<T> Task => _boxOrError is null ? new Fiber<T>(_result) : _boxOrError switch // null first: completed at once
    {
        FiberBox<T> box => new Fiber<T>(box),
        ExceptionDispatchInfo error => new Fiber<T>(error),
        _ => new Fiber<T>(_result),
    };

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        throw BuilderCore.ForeignAwaitable(typeof(TAwaiter));

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        BuilderCore.Suspend(ref awaiter, _boxOrError as FiberBox<T> ?? Box(ref stateMachine));

    private FiberBox<T> Box<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var box = new FiberBox<T, TStateMachine>();
        _boxOrError = box; // before the copy below, so that the boxed state machine's builder knows its box
        box.StateMachine = stateMachine;
        return box;
    }
}
