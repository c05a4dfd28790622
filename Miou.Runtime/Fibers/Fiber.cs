using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// The task-like type of a fiber that returns nothing (<c>async Fiber</c> methods), and the home of Miou's operations:
/// the direct-style methods called from <c>[Fiber]</c> methods (<see cref="Async{T}(Func{T}, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>,
/// <c>Await</c>, <c>Cancel</c>, …) and their awaitable counterparts (<c>SpawnAsync</c>, <c>AwaitAsync</c>, …) used by
/// generated and hand-written <c>async Fiber</c> code.
/// </summary>
[AsyncMethodBuilder(typeof(FiberMethodBuilder))]
public readonly partial struct Fiber
{
    internal readonly Fiber<Unit> Inner;

    internal Fiber(Fiber<Unit> inner) => Inner = inner;

    /// <summary>Whether the fiber has completed.</summary>
    public bool IsCompleted => Inner.IsCompleted;

    /// <summary>Gets the awaiter (for <c>await</c> inside another fiber).</summary>
    public Awaiter GetAwaiter() => new(Inner.GetAwaiter());

    /// <summary>A fiber that has already completed.</summary>
    public static Fiber CompletedFiber => default;

    /// <summary>The awaiter of a nested void fiber call.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, IFiberAwaiter
    {
        private readonly Fiber<Unit>.Awaiter _inner;

        internal Awaiter(Fiber<Unit>.Awaiter inner) => _inner = inner;

        /// <summary>Whether the fiber completed.</summary>
        public bool IsCompleted => _inner.IsCompleted;

        /// <summary>Rethrows the fiber's exception, if any.</summary>
        public void GetResult() => _inner.GetResult();

        /// <summary>Part of Miou's suspend protocol; only Miou's builders may call it.</summary>
        public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

        /// <summary>Part of Miou's suspend protocol; only Miou's builders may call it.</summary>
        public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
    }
}
