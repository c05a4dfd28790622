using System.ComponentModel;
using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>The awaitable of a spawn: resumes with the new child's promise. Only awaitable inside <c>async Fiber</c> methods.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SpawnAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    /// <summary>
    /// The child's promise, or a <see cref="SpawnWith{T}"/> when orphans or resources come with it. One reference, not
    /// three: the compiler copies the awaiter into the suspended frame, a GC write barrier per reference field.
    /// </summary>
    private readonly object _spawn;

    internal SpawnAwaitable(Promise<T> child, Orphans<T>? orphans, IEnumerable<Resource>? give) =>
        _spawn = orphans is null && give is null ? child : new SpawnWith<T>(child, orphans, give);

    /// <summary>Gets the awaiter.</summary>
    public SpawnAwaitable<T> GetAwaiter() => this;

    /// <summary>
    /// A spawn is two scheduling points (spec §1.3): true when they were answered in place, with every step they let
    /// other tasks take run here (see <c>DomainScheduler.TryPointsInPlace</c>); otherwise false, and the slot answers them.
    /// Only the awaiting builder may ask: the answer is the points' answer, not a probe.
    /// </summary>
    public bool IsCompleted => DomainScheduler.TryPointsInPlace(2);

    /// <summary>Spawns the child (it is queued now) and returns its promise.</summary>
    public Promise<T> GetResult()
    {
        var parent = Suspension.Resumed();
        if (_spawn is Promise<T> child)
        {
            Rules.Spawn(parent, child, null);
            return child;
        }

        return ((SpawnWith<T>)_spawn).Spawn(parent);
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Points, null, 2);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>A spawn's child with the orphans it joins or the resources it is given (rare: allocated only then).</summary>
internal sealed class SpawnWith<T>(Promise<T> child, Orphans<T>? orphans, IEnumerable<Resource>? give)
{
    internal Promise<T> Child { get; } = child;

    internal Orphans<T>? Orphans { get; } = orphans;

    internal IEnumerable<Resource>? Give { get; } = give;

    /// <summary>Spawns the child, gives it the resources and registers it in the orphans.</summary>
    internal Promise<T> Spawn(Promise parent)
    {
        Rules.Spawn(parent, Child, Give);
        Orphans?.Register(parent, Child); // after the spawn, as the original (spec §10 Q11)
        return Child;
    }
}

/// <summary>The awaitable of a spawn on another domain: resumes with the new child's promise.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CallAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise<T> _child;
    private readonly Domain? _pin;
    private readonly Orphans<T>? _orphans;
    private readonly IEnumerable<Resource>? _give;

    internal CallAwaitable(Promise<T> child, Domain? pin, Orphans<T>? orphans, IEnumerable<Resource>? give)
    {
        _child = child;
        _pin = pin;
        _orphans = orphans;
        _give = give;
    }

    /// <summary>Gets the awaiter.</summary>
    public CallAwaitable<T> GetAwaiter() => this;

    /// <summary>Always false: the domain list, who-am-I, the random state unless pinned, and the spawn (spec §1.3).</summary>
    public bool IsCompleted => false;

    /// <summary>Chooses the worker, spawns the child there and returns its promise.</summary>
    public Promise<T> GetResult()
    {
        var parent = Suspension.Resumed();
        _child.Domain = Fiber.ChooseWorker(parent, _pin, _child.SpawnFile, _child.SpawnLine);
        Rules.Spawn(parent, _child, _give);
        _orphans?.Register(parent, _child);
        return _child;
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Points, null, _pin is null ? 4 : 3);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of a void spawn on another domain: resumes with the child's <see cref="Promise"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CallAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly CallAwaitable<Unit> _inner;

    internal CallAwaitable(CallAwaitable<Unit> inner) => _inner = inner;

    /// <summary>Gets the awaiter.</summary>
    public CallAwaitable GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>Spawns the child and returns its promise.</summary>
    public Promise GetResult() => _inner.GetResult();

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    internal PendingOp Operation => _inner.Operation;

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of a void spawn: resumes with the child's <see cref="Promise"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SpawnAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    /// <summary>
    /// The child's promise, of exactly <see cref="Promise"/>, or a <see cref="SpawnWith{T}"/> (its child a
    /// <see cref="Promise{T}"/> of <see cref="Unit"/>, as orphans of <see cref="Unit"/> hold) when orphans or resources come
    /// with it.
    /// </summary>
    private readonly object _spawn;

    internal SpawnAwaitable(Promise child) => _spawn = child;

    internal SpawnAwaitable(SpawnWith<Unit> with) => _spawn = with;

    /// <summary>Gets the awaiter.</summary>
    public SpawnAwaitable GetAwaiter() => this;

    /// <summary>
    /// A spawn is two scheduling points (spec §1.3): true when they were answered in place, with every step they let
    /// other tasks take run here (see <c>DomainScheduler.TryPointsInPlace</c>); otherwise false, and the slot answers them.
    /// Only the awaiting builder may ask: the answer is the points' answer, not a probe.
    /// </summary>
    public bool IsCompleted => DomainScheduler.TryPointsInPlace(2);

    /// <summary>Spawns the child (it is queued now) and returns its promise.</summary>
    public Promise GetResult()
    {
        var parent = Suspension.Resumed();
        if (_spawn is SpawnWith<Unit> with)
        {
            return with.Spawn(parent);
        }

        var child = Unsafe.As<Promise>(_spawn);
        Rules.Spawn(parent, child, null);
        return child;
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Points, null, 2);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>What every await of a child does on resumption: consume the child, then throw what the scheduler answered.</summary>
internal static class AwaitCore
{
    internal static void Finish(Promise child)
    {
        var error = Suspension.TakeException(out var task);
        task.Consume(child); // in all cases, even when the wait was cut short by a cancellation (spec §1.7)
        if (error is not null)
        {
            throw error;
        }
    }
}

/// <summary>The awaitable of <c>AwaitResultAsync</c>: resumes with the child's outcome. Only awaitable inside <c>async Fiber</c> methods.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AwaitResultAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise<T> _child;

    internal AwaitResultAwaitable(Promise<T> child) => _child = child;

    /// <summary>Gets the awaiter.</summary>
    public AwaitResultAwaitable<T> GetAwaiter() => this;

    /// <summary>
    /// An await is a scheduling point even when the child is done: true only when that point is answered at once, in place
    /// (the child terminated, the slot would answer the point with nothing else done first); otherwise false, and the slot
    /// answers it.
    /// </summary>
    public bool IsCompleted => DomainScheduler.TryAwaitInPlace(_child);

    /// <summary>The child's outcome; an awaited child is no longer counted among the task's children.</summary>
    public Result<T> GetResult()
    {
        AwaitCore.Finish(_child);
        return _child.Outcome();
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Await, _child);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of <c>AwaitAsync</c>: the child's value, or its exception rethrown.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AwaitAwaitable<T> : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise<T> _child;

    internal AwaitAwaitable(Promise<T> child) => _child = child;

    /// <summary>Gets the awaiter.</summary>
    public AwaitAwaitable<T> GetAwaiter() => this;

    /// <summary>True only when the await's scheduling point is answered at once, in place; see <see cref="AwaitResultAwaitable{T}.IsCompleted"/>.</summary>
    public bool IsCompleted => DomainScheduler.TryAwaitInPlace(_child);

    /// <summary>The child's value, or its exception rethrown with its original stack trace.</summary>
    public T GetResult()
    {
        AwaitCore.Finish(_child);
        return _child.Outcome().ValueOrThrow();
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Await, _child);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of <c>AwaitAsync</c> on a <see cref="Promise"/> whose value is ignored: rethrows its exception, if any.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AwaitAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise _child;

    internal AwaitAwaitable(Promise child) => _child = child;

    /// <summary>Gets the awaiter.</summary>
    public AwaitAwaitable GetAwaiter() => this;

    /// <summary>True only when the await's scheduling point is answered at once, in place; see <see cref="AwaitResultAwaitable{T}.IsCompleted"/>.</summary>
    public bool IsCompleted => DomainScheduler.TryAwaitInPlace(_child);

    /// <summary>Rethrows the child's exception, if it failed or was cancelled.</summary>
    public void GetResult()
    {
        AwaitCore.Finish(_child);
        _child.ThrowIfFailed();
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Await, _child);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of <c>AwaitResultAsync</c> on a <see cref="Promise"/> whose value is ignored.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AwaitResultAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise _child;

    internal AwaitResultAwaitable(Promise child) => _child = child;

    /// <summary>Gets the awaiter.</summary>
    public AwaitResultAwaitable GetAwaiter() => this;

    /// <summary>True only when the await's scheduling point is answered at once, in place; see <see cref="AwaitResultAwaitable{T}.IsCompleted"/>.</summary>
    public bool IsCompleted => DomainScheduler.TryAwaitInPlace(_child);

    /// <summary>The child's outcome, its value ignored.</summary>
    public Result<Unit> GetResult()
    {
        AwaitCore.Finish(_child);
        return _child.UnitOutcome();
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Await, _child);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of a cancellation: resumes once the child and its whole subtree are torn down.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CancelAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise _child;

    internal CancelAwaitable(Promise child) => _child = child;

    /// <summary>Gets the awaiter.</summary>
    public CancelAwaitable GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>Marks the child cancelled for later awaits (spec §1.9).</summary>
    public void GetResult()
    {
        var error = Suspension.TakeException(out var task);
        if (error is NotAChildException)
        {
            throw error;
        }

        _child.CancelledByParent = true;
        task.Consume(_child);

        if (error is not null)
        {
            throw error;
        }
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.Cancel, _child);

    PendingOp IOperationAwaiter.Operation => Operation;
}

/// <summary>The awaitable of an await-any: resumes with the index of the chosen terminated child.</summary>
internal readonly struct AwaitAnyAwaitable : ICriticalNotifyCompletion, IOperationAwaiter
{
    private readonly Promise[] _children;

    internal AwaitAnyAwaitable(Promise[] children) => _children = children;

    public AwaitAnyAwaitable GetAwaiter() => this;

    public bool IsCompleted => false;

    /// <summary>
    /// Chooses among the terminated children: uniformly at random among those that returned a value, else among those that
    /// failed (spec §1.8). The chosen one is consumed (no longer a child).
    /// </summary>
    public int GetResult()
    {
        var error = Suspension.TakeException(out var task);
        foreach (var child in _children)
        {
            child.WatchedByParent = false;
        }

        if (error is not null)
        {
            throw error;
        }

        int returned = 0, failed = 0;
        foreach (var child in _children)
        {
            if (child.State == PromiseState.Finished)
            {
                returned++;
            }
            else if (child.State == PromiseState.Exited)
            {
                failed++;
            }
        }

        var wanted = returned > 0 ? PromiseState.Finished : PromiseState.Exited;
        var pick = task.Domain.Random.Next(returned > 0 ? returned : failed);
        for (var i = 0; i < _children.Length; i++)
        {
            if (_children[i].State == wanted && pick-- == 0)
            {
                task.Consume(_children[i]);
                return i;
            }
        }

        throw new InvalidOperationException("Miou internal error: await-any resumed with no terminated promise.");
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, Operation);

    internal PendingOp Operation => new(OpKind.AwaitAny, _children);

    PendingOp IOperationAwaiter.Operation => Operation;
}
