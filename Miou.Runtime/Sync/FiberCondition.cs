using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A condition variable for fibers (spec §6.4), used with a <see cref="FiberMutex"/>. Wake-ups may be spurious: always
/// re-test the predicate in a loop.
/// </summary>
public sealed class FiberCondition
{
    private readonly object _gate = new();
    private readonly LinkedList<Trigger> _waiters = new();

    /// <summary>Releases <paramref name="mutex"/>, parks until signalled, then takes the mutex again (direct style).</summary>
    [DirectStyle(nameof(WaitAsync))]
    public void Wait(FiberMutex mutex) => throw new NotInFiberException("FiberCondition.Wait");

    /// <summary>
    /// Releases <paramref name="mutex"/> (which the caller must hold), parks until signalled, then takes the mutex again.
    /// If the task is cancelled while parked, the cancellation is thrown without re-taking the mutex.
    /// </summary>
    public async Fiber WaitAsync(FiberMutex mutex)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        await PointAwaitable.Points(1);
        var trigger = new Trigger();
        LinkedListNode<Trigger> node;
        lock (_gate)
        {
            node = _waiters.AddLast(trigger);
        }

        try
        {
            mutex.Unlock();
        }
        catch
        {
            Forget(node); // not holding the mutex: leave no stale waiter behind (the original does, spec §10 Q17)
            throw;
        }

        try
        {
            await trigger.AwaitAsync();
        }
        catch (CancelledException)
        {
            if (!Forget(node))
            {
                Signal(); // we were signalled as we were cancelled: pass the wake-up on
            }

            throw;
        }

        await mutex.LockAsync();
    }

    /// <summary>Wakes the oldest waiter, if any. Not a scheduling point; any thread.</summary>
    public void Signal()
    {
        Trigger? next = null;
        lock (_gate)
        {
            if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                next = first.Value;
            }
        }

        next?.Signal();
    }

    /// <summary>Wakes every waiter, oldest first. Not a scheduling point; any thread.</summary>
    public void Broadcast()
    {
        Trigger[] all;
        lock (_gate)
        {
            all = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var trigger in all)
        {
            trigger.Signal();
        }
    }

    private bool Forget(LinkedListNode<Trigger> node)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return false;
            }

            _waiters.Remove(node);
            return true;
        }
    }
}
