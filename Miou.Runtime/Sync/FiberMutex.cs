using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A mutual-exclusion lock for fibers, across domains (spec §6.3). Waiters park instead of blocking their domain and are
/// served in FIFO order: unlocking hands the lock directly to the oldest waiter. Not re-entrant.
/// </summary>
public sealed class FiberMutex
{
    private readonly object _gate = new();
    private readonly LinkedList<(Trigger Trigger, Promise Task)> _waiters = new();
    private Promise? _owner;

    /// <summary>Whether a task holds the lock.</summary>
    public bool IsLocked
    {
        get
        {
            lock (_gate)
            {
                return _owner is not null;
            }
        }
    }

    /// <summary>Takes the lock, parking the fiber while another holds it (direct style).</summary>
    [DirectStyle(nameof(LockAsync))]
    public void Lock() => throw new NotInFiberException("FiberMutex.Lock");

    /// <summary>Takes the lock, parking the fiber while another task holds it. One scheduling point, plus the wait.</summary>
    /// <exception cref="InvalidOperationException">The calling task already holds it.</exception>
    public async Fiber LockAsync()
    {
        await PointAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        LinkedListNode<(Trigger, Promise)> node;
        lock (_gate)
        {
            if (_owner is null)
            {
                _owner = me;
                return;
            }

            if (_owner == me)
            {
                throw new InvalidOperationException($"FiberMutex: {me.Describe()} already holds this mutex (it is not re-entrant).");
            }

            node = _waiters.AddLast((new Trigger(), me));
        }

        try
        {
            await node.Value.Item1.AwaitAsync();
        }
        catch (CancelledException)
        {
            bool handedToMe;
            lock (_gate)
            {
                handedToMe = node.List is null; // Unlock removed us: the lock is ours, pass it on
                if (!handedToMe)
                {
                    _waiters.Remove(node);
                }
            }

            if (handedToMe)
            {
                Release(me);
            }

            throw;
        }
    }

    /// <summary>
    /// Takes the lock if it is free and returns whether it did. Not a scheduling point. (The original's <c>try_lock</c>
    /// reported success without locking, spec §10 Q1; this one really locks.)
    /// </summary>
    public bool TryLock()
    {
        var me = Suspension.CurrentTask("FiberMutex.TryLock");
        lock (_gate)
        {
            if (_owner is not null)
            {
                return false;
            }

            _owner = me;
            return true;
        }
    }

    /// <summary>
    /// Releases the lock, handing it to the oldest waiter if any. Not a scheduling point, so it works in the
    /// <c>finally</c> of a cancelled task.
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling task does not hold the lock.</exception>
    public void Unlock() => Release(Suspension.CurrentTask("FiberMutex.Unlock"));

    private void Release(Promise me)
    {
        Trigger? next = null;
        lock (_gate)
        {
            if (_owner is null)
            {
                throw new InvalidOperationException($"FiberMutex: {me.Describe()} unlocked a mutex that is not locked.");
            }

            if (_owner != me)
            {
                throw new InvalidOperationException($"FiberMutex: {me.Describe()} unlocked a mutex held by {_owner.Describe()}.");
            }

            if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                _owner = first.Value.Task;
                next = first.Value.Trigger;
            }
            else
            {
                _owner = null;
            }
        }

        next?.Signal();
    }

    /// <summary>Runs <paramref name="body"/> holding the lock, and releases it however the body ends (direct style).</summary>
    [DirectStyle(nameof(ProtectAsync))]
    public T Protect<T>([FiberBody] Func<T> body) => throw new NotInFiberException("FiberMutex.Protect");

    /// <summary>Runs <paramref name="body"/> holding the lock, and releases it however the body ends.</summary>
    public async Fiber<T> ProtectAsync<T>([FiberBody] Func<Fiber<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await LockAsync();
        try
        {
            return await body();
        }
        finally
        {
            Unlock();
        }
    }
}
