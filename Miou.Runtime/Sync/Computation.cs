using System.Runtime.ExceptionServices;

namespace Miou;

/// <summary>
/// A single-assignment result cell usable from any thread (spec §6.2): running, then returned or cancelled (failed).
/// Tasks can await it; whoever completes it — another task, another domain, a foreign thread — resumes them.
/// </summary>
public sealed class Computation<T> : Scheduling.SchedulerOp
{
    private readonly Lock _gate = new();
    private List<Trigger>? _triggers;
    private List<Promise>? _tasks; // fibers parked in AwaitAsync
    private Result<T>? _outcome;

    /// <summary>Whether the computation is still running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _outcome is null;
            }
        }
    }

    /// <summary>The outcome, or null while running.</summary>
    public Result<T>? Peek()
    {
        lock (_gate)
        {
            return _outcome;
        }
    }

    /// <summary>
    /// Completes with a value if still running; returns whether this call completed it. An action attached to one of the
    /// triggers (<see cref="Trigger.OnSignal"/>) that throws is rethrown here, once every trigger has been signalled.
    /// </summary>
    public bool TryReturn(T value) => TryComplete(Result<T>.Ok(value));

    /// <summary>
    /// Completes with an exception if still running; returns whether this call completed it. A trigger action that throws
    /// is rethrown as by <see cref="TryReturn"/>.
    /// </summary>
    public bool TryCancel(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return TryComplete(Result<T>.Fail(error));
    }

    /// <summary>Runs <paramref name="body"/> and completes with its value or the exception it threw (which does not escape).</summary>
    public bool TryCapture(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        T value;
        try
        {
            value = body();
        }
        catch (Exception e)
        {
            return TryComplete(Result<T>.Fail(ExceptionDispatchInfo.Capture(e)));
        }

        return TryReturn(value);
    }

    /// <summary>
    /// Runs the fiber <paramref name="body"/> in the calling fiber and completes with its value or the exception it threw
    /// (which does not escape); returns whether this call completed it. A cancellation of the calling fiber itself is not
    /// the body's outcome: it propagates.
    /// </summary>
    public async Fiber<bool> TryCaptureAsync([FiberBody] Func<Fiber<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        T value;
        try
        {
            value = await body();
        }
        catch (CancelledException) when (Scheduling.DomainScheduler.CurrentTask is { CancelRequested: true })
        {
            throw;
        }
        catch (Exception e)
        {
            return TryComplete(Result<T>.Fail(ExceptionDispatchInfo.Capture(e)));
        }

        return TryReturn(value);
    }

    /// <summary>Rethrows the stored exception if the computation failed.</summary>
    public void ThrowIfErrored()
    {
        if (Peek() is { IsOk: false } failed)
        {
            failed.ValueOrThrow();
        }
    }

    /// <summary>Attaches a trigger signalled on completion; false if already complete or the trigger already signalled.</summary>
    public bool TryAttach(Trigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        lock (_gate)
        {
            if (_outcome is not null || trigger.IsSignalled)
            {
                return false;
            }

            (_triggers ??= []).Add(trigger);
            return true;
        }
    }

    /// <summary>Signals and detaches a trigger attached with <see cref="TryAttach"/>.</summary>
    public void Detach(Trigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        trigger.Signal();
        lock (_gate)
        {
            _triggers?.Remove(trigger);
        }
    }

    private bool TryComplete(Result<T> outcome)
    {
        List<Trigger>? triggers;
        List<Promise>? tasks;
        lock (_gate)
        {
            if (_outcome is not null)
            {
                return false; // the first writer wins
            }

            _outcome = outcome;
            triggers = _triggers;
            _triggers = null;
            tasks = _tasks;
            _tasks = null;
        }

        if (tasks is not null)
        {
            foreach (var task in tasks)
            {
                task.Domain.Wake(task, this);
            }
        }

        if (triggers is not null)
        {
            SignalAll(triggers);
        }

        return true;
    }

    /// <summary>
    /// Signals every trigger, even when an action attached to one (<see cref="Trigger.OnSignal"/>) throws: the others'
    /// waiters must be resumed all the same. Then the action's exception is thrown to the completing caller (several
    /// together in an <see cref="AggregateException"/>).
    /// </summary>
    private static void SignalAll(List<Trigger> triggers)
    {
        List<Exception>? errors = null;
        foreach (var trigger in triggers)
        {
            try
            {
                trigger.Signal();
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }

        switch (errors)
        {
            case [var one]:
                ExceptionDispatchInfo.Throw(one);
                break;
            case [_, _, ..]:
                throw new AggregateException("Several actions attached to the computation's triggers threw.", errors);
        }
    }

    /// <summary>Parks the calling fiber until the computation completes, then returns its outcome (direct style).</summary>
    [DirectStyle(nameof(AwaitAsync))]
    public Result<T> Await() => throw new NotInFiberException("Computation.Await");

    /// <summary>
    /// Parks the calling fiber until the computation completes, then returns its outcome. One scheduling point, plus the
    /// wait; no allocation.
    /// </summary>
    public ComputationAwaitable<T> AwaitAsync() => new(this);

    internal override Scheduling.Answered Answer(Scheduling.DomainScheduler domain, Promise task)
    {
        lock (_gate)
        {
            if (_outcome is not null)
            {
                return Scheduling.Answered.Resume;
            }

            (_tasks ??= []).Add(task);
            return Scheduling.Answered.Park;
        }
    }

    internal override void Cancelled(Promise task)
    {
        lock (_gate)
        {
            _tasks?.Remove(task);
        }
    }

    /// <summary>The value, or the exception rethrown, once complete (direct style).</summary>
    [DirectStyle(nameof(AwaitValueAsync))]
    public T AwaitValue() => throw new NotInFiberException("Computation.AwaitValue");

    /// <summary>The value, or the exception rethrown, once complete.</summary>
    public ComputationValueAwaitable<T> AwaitValueAsync() => new(this);
}
