using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Miou.Building;

/// <summary>The async method builder of the void task-like <see cref="Fiber"/>; see <see cref="FiberMethodBuilder{T}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct FiberMethodBuilder
{
    private FiberMethodBuilder<Unit> _inner;

    /// <summary>Creates a builder.</summary>
    public static FiberMethodBuilder Create() => default;

    /// <summary>Runs the state machine until its first suspension.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();

    /// <summary>Not used.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>Completes the fiber.</summary>
    public void SetResult() => _inner.SetResult(default);

    /// <summary>Completes the fiber with an exception.</summary>
    public void SetException(Exception exception) => _inner.SetException(exception);

    /// <summary>The fiber returned to the caller.</summary>
    public Fiber Task => new(_inner.Task);

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>Suspends on a Miou awaiter.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
