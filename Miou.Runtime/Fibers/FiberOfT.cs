using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// The task-like type of a fiber that returns a <typeparamref name="T"/>: the return type of hand-written
/// <c>async Fiber&lt;T&gt;</c> methods and of the twins the generator emits for <c>[Fiber]</c> methods. Awaiting one
/// inside another fiber runs it inline, in the caller's task. It is only awaitable inside Miou fibers.
/// </summary>
[AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
public readonly struct Fiber<T>
{
    // null: completed synchronously with _result; a FiberBox<T>: suspended at least once; an ExceptionDispatchInfo:
    // failed synchronously.
    internal readonly object? Source;
    internal readonly T SyncResult;

    internal Fiber(T result)
    {
        Source = null;
        SyncResult = result;
    }

    internal Fiber(FiberBox<T> box)
    {
        Source = box;
        SyncResult = default!;
    }

    internal Fiber(ExceptionDispatchInfo error)
    {
        Source = error;
        SyncResult = default!;
    }

    /// <summary>Whether the fiber has completed.</summary>
    public bool IsCompleted => Source is not FiberBox<T> box || box.IsCompleted;

    /// <summary>Gets the awaiter (for <c>await</c> inside another fiber).</summary>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>A fiber whose result is already known.</summary>
    public static Fiber<T> FromResult(T value) => new(value);

    /// <summary>The awaiter of a nested fiber call.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, IFiberAwaiter
    {
        private readonly Fiber<T> _fiber;

        internal Awaiter(Fiber<T> fiber) => _fiber = fiber;

        /// <summary>Whether the fiber completed.</summary>
        public bool IsCompleted => _fiber.IsCompleted;

        /// <summary>The fiber's value, or its exception rethrown.</summary>
        public T GetResult()
        {
            switch (_fiber.Source)
            {
                case null:
                    return _fiber.SyncResult;
                case FiberBox<T> box:
                    return box.GetResult();
                default:
                    ((ExceptionDispatchInfo)_fiber.Source).Throw();
                    return default!;
            }
        }

        /// <summary>Part of Miou's suspend protocol; only Miou's builders may call it.</summary>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Part of Miou's suspend protocol; only Miou's builders may call it.</summary>
        public void UnsafeOnCompleted(Action continuation) => Suspension.ChainCallee((FiberBox)_fiber.Source!, continuation);
    }
}
