using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A condition variable for fibers (spec §6.4), used with a <see cref="FiberMutex"/>. Wake-ups may be spurious: always
/// re-test the predicate in a loop.
/// </summary>
public sealed class FiberCondition
{
    private SpinGate _gate; // a mutable struct: never readonly, never copied
    private readonly TaskQueue<Waiter> _waiters = new();
    private Waiting? _lastWait; // reused while the condition is used with the same mutex: no allocation per wait

    /// <summary>Creates a condition, its gate biased to the domain of the task creating it, if any (see <see cref="SpinGate"/>).</summary>
    public FiberCondition() => _gate.BiasTo(DomainScheduler.Current);

    /// <summary>Releases <paramref name="mutex"/>, parks until signalled, then takes the mutex again (direct style).</summary>
    [DirectStyle(nameof(WaitAsync))]
    public void Wait(FiberMutex mutex) => throw new NotInFiberException("FiberCondition.Wait");

    /// <summary>
    /// Releases <paramref name="mutex"/> (which the caller must hold), parks until signalled, then takes the mutex again.
    /// If the task is cancelled while parked, the cancellation is thrown without re-taking the mutex. No allocation.
    /// </summary>
    /// <remarks>Throws <see cref="InvalidOperationException"/> if the calling task does not hold <paramref name="mutex"/>.</remarks>
    public OpAwaitable WaitAsync(FiberMutex mutex)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        var wait = _lastWait;
        if (wait is null || !ReferenceEquals(wait.Mutex, mutex))
        {
            _lastWait = wait = new Waiting(this, mutex);
        }

        return OpAwaitable.On(wait);
    }

    /// <summary>Wakes the oldest waiter, if any. Not a scheduling point; any thread.</summary>
    public void Signal()
    {
        var current = DomainScheduler.Current; // one thread-static read: for the gate and for the wake-up
        Waiter next;
        using (_gate.Hold(current))
        {
            if (_waiters.IsEmpty)
            {
                return;
            }

            next = _waiters.Dequeue();
        }

        next.Task.Domain.Wake(next.Task, next.Wait, current);
    }

    /// <summary>Wakes every waiter, oldest first. Not a scheduling point; any thread.</summary>
    public void Broadcast()
    {
        var current = DomainScheduler.Current;
        Waiter[] all;
        using (_gate.Hold(current))
        {
            all = _waiters.DequeueAll();
        }

        foreach (var next in all)
        {
            next.Task.Domain.Wake(next.Task, next.Wait, current);
        }
    }

    /// <summary>Takes <paramref name="task"/> out of the waiters; runs on the task's domain.</summary>
    private bool Forget(Promise task)
    {
        using (_gate.Hold(task.Domain))
        {
            return _waiters.Remove(task);
        }
    }

    /// <summary>A waiting task and the wait it parked on (the token its wake-up names).</summary>
    private readonly struct Waiter(Promise task, Waiting wait) : ITaskEntry
    {
        public Promise Task { get; } = task;

        public Waiting Wait { get; } = wait;
    }

    /// <summary>One wait on this condition with one mutex: what the scheduler answers for <see cref="WaitAsync"/>.</summary>
    private sealed class Waiting(FiberCondition condition, FiberMutex mutex) : SchedulerOp(answersWithoutCode: true)
    {
        internal FiberMutex Mutex { get; } = mutex;

        // Phase 0: the who-am-I point — queue up, release the mutex, park. Phase 1: signalled — re-take the mutex, which
        // answers the rest of the operation (the task's target becomes the mutex).
        internal override Answered Answer(DomainScheduler domain, Promise task)
        {
            if (task.OpPhase == 0)
            {
                using (condition._gate.Hold(domain))
                {
                    condition._waiters.Enqueue(new Waiter(task, this));
                }

                if (Mutex.TryRelease(task) is { } error)
                {
                    condition.Forget(task); // not holding the mutex: leave no stale waiter (the original does, spec §10 Q17)
                    domain.ResumeException = error;
                    return Answered.Resume;
                }

                task.OpPhase = 1;
                return Answered.Park;
            }

            task.OpTarget = Mutex;
            task.OpPhase = 0;
            return Answered.Again;
        }

        internal override void Cancelled(Promise task)
        {
            if (!condition.Forget(task))
            {
                condition.Signal(); // it was signalled as it was cancelled: pass the wake-up on
            }
        }
    }
}
