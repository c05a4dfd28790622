using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A mutual-exclusion lock for fibers, across domains (spec §6.3). Waiters park instead of blocking their domain and are
/// served in FIFO order: unlocking hands the lock directly to the oldest waiter. Not re-entrant.
/// </summary>
public sealed class FiberMutex : SchedulerOp
{
    private SpinGate _gate; // a mutable struct: never readonly, never copied
    private readonly TaskQueue<Waiter> _waiters = new();
    private Promise? _owner;

    /// <summary>Creates an unlocked mutex, its gate biased to the domain of the task creating it, if any (see <see cref="SpinGate"/>).</summary>
    public FiberMutex()
        : base(answersWithoutCode: true) // its answer touches only its own state, the task and the domains' run queues
    {
        _gate.BiasTo(DomainScheduler.Current);
    }

    /// <summary>Whether a task holds the lock.</summary>
    public bool IsLocked
    {
        get
        {
            using (_gate.Hold(DomainScheduler.Current))
            {
                return _owner is not null;
            }
        }
    }

    /// <summary>Takes the lock, parking the fiber while another holds it (direct style).</summary>
    [DirectStyle(nameof(LockAsync))]
    public void Lock() => throw new NotInFiberException("FiberMutex.Lock");

    /// <summary>
    /// Takes the lock, parking the fiber while another task holds it. One scheduling point, plus the wait; no allocation.
    /// If the fiber is cancelled while waiting it leaves the queue (or passes on a lock handed to it meanwhile).
    /// </summary>
    /// <remarks>Throws <see cref="InvalidOperationException"/> if the calling task already holds the lock.</remarks>
    public OpAwaitable LockAsync() => OpAwaitable.On(this);

    /// <summary>
    /// Takes the lock if it is free and returns whether it did. Not a scheduling point. (The original's <c>try_lock</c>
    /// reported success without locking, spec §10 Q1; this one really locks.)
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside a fiber (the lock's owner is a task).</exception>
    public bool TryLock()
    {
        var me = Suspension.CurrentTask("FiberMutex.TryLock");
        using (_gate.Hold(me.Domain))
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
    /// <exception cref="InvalidOperationException">The calling task does not hold the lock, or it is called outside a fiber.</exception>
    public void Unlock() => Release(Suspension.CurrentTask("FiberMutex.Unlock"));

    /// <summary>Runs <paramref name="body"/> holding the lock, and releases it however the body ends (direct style).</summary>
    [DirectStyle(nameof(ProtectAsync))]
    public T Protect<T>([FiberBody] Func<T> body) => throw new NotInFiberException("FiberMutex.Protect");

    /// <summary>
    /// Runs <paramref name="body"/> holding the lock, and releases it however the body ends. If the body is cancelled
    /// where the lock is not held (in a <see cref="FiberCondition.WaitAsync"/>, which does not take it again then), the
    /// cancellation propagates as it is (spec §6.3).
    /// </summary>
    /// <exception cref="InvalidOperationException">The body returned or failed otherwise without holding the lock.</exception>
    public async Fiber<T> ProtectAsync<T>([FiberBody] Func<Fiber<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await LockAsync();
        var me = DomainScheduler.CurrentTask!;
        T value;
        try
        {
            value = await body();
        }
        catch (CancelledException)
        {
            // Released if held. A condition wait cancelled while parked left it released already: the "not held" error
            // TryRelease then returns is expected, and must not replace the cancellation.
            _ = TryRelease(me);
            throw;
        }
        catch
        {
            Release(me);
            throw;
        }

        Release(me);
        return value;
    }

    /// <summary>Releases the lock held by <paramref name="me"/>; throws if it does not hold it.</summary>
    internal void Release(Promise me)
    {
        if (TryRelease(me) is { } error)
        {
            throw error;
        }
    }

    /// <summary>
    /// Releases the lock held by <paramref name="me"/>, handing it to the oldest waiter if any; or, if
    /// <paramref name="me"/> does not hold it, changes nothing and returns the error to report (returned, not thrown: a
    /// condition's wait reports it at its suspension point without a throw and catch in the scheduler, and the method
    /// builds no message on its hot path).
    /// </summary>
    internal InvalidOperationException? TryRelease(Promise me)
    {
        Promise? owner;
        Promise? next = null;
        using (_gate.Hold(me.Domain)) // TryRelease runs on the releasing task's domain
        {
            owner = _owner;
            if (ReferenceEquals(owner, me))
            {
                next = HandOverLocked(); // in the same critical section as the check: one lock per unlock, not two
            }
        }

        if (!ReferenceEquals(owner, me))
        {
            return NotHeld(me, owner);
        }

        next?.Domain.Wake(next, this, me.Domain); // on the releasing task's domain
        return null;
    }

    private static InvalidOperationException NotHeld(Promise me, Promise? owner) => new(owner is null
        ? $"FiberMutex: {me.Describe()} unlocked a mutex that is not locked."
        : $"FiberMutex: {me.Describe()} unlocked a mutex held by {owner.Describe()}.");

    /// <summary>Gives the lock to the oldest waiter, if any, and returns it (to be woken once the gate is left).</summary>
    private Promise? HandOverLocked()
    {
        if (_waiters.IsEmpty)
        {
            _owner = null; // a constant null store: no GC write barrier (the unlock of an uncontended mutex)
            return null;
        }

        var next = _waiters.Dequeue().Task;
        _owner = next;
        return next;
    }

    private void HandOver(DomainScheduler current)
    {
        Promise? next;
        using (_gate.Hold(current))
        {
            next = HandOverLocked();
        }

        next?.Domain.Wake(next, this, current);
    }

    // Phase 0: the who-am-I point — take the lock or queue up. Phase 1: woken because the lock was handed over.
    internal override Answered Answer(DomainScheduler domain, Promise task)
    {
        if (task.OpPhase != 0)
        {
            // Read without the gate: the owner becomes this task only by a hand-over, written under the gate before the
            // wake-up that queued the task (on this thread, or through the domain's inbox, which orders the two), and once
            // it is this task only this task changes it (its unlock, its cancellation, both on this thread, not now). So the
            // read sees this task exactly when the gated read would.
            return ReferenceEquals(Volatile.Read(ref _owner), task) ? Answered.Resume : Answered.Park;
        }

        using (_gate.Hold(domain))
        {
            if (_owner is null)
            {
                _owner = task;
                return Answered.Resume;
            }

            if (_owner == task)
            {
                domain.ResumeException = new InvalidOperationException($"FiberMutex: {task.Describe()} already holds this mutex (it is not re-entrant).");
                return Answered.Resume;
            }

            _waiters.Enqueue(new Waiter(task));
            task.OpPhase = 1;
            return Answered.Park;
        }
    }

    internal override void Cancelled(Promise task)
    {
        bool handedToIt;
        using (_gate.Hold(task.Domain)) // Cancelled runs on the task's domain
        {
            handedToIt = _owner == task && task.OpPhase == 1;
            if (!handedToIt)
            {
                _waiters.Remove(task);
            }
        }

        if (handedToIt)
        {
            HandOver(task.Domain); // the lock was handed to a task that is now cancelled: pass it on (on its domain)
        }
    }

    private readonly struct Waiter(Promise task) : ITaskEntry
    {
        public Promise Task { get; } = task;
    }
}
