using System.Runtime.ExceptionServices;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A value computed once, on first use, by the first fiber that forces it — on any domain; other fibers forcing it
/// meanwhile park until it is ready (spec §6.5). The computation may use Miou operations.
/// </summary>
public sealed class FiberLazy<T>
{
    private readonly object _gate = new();
    private Func<Fiber<T>>? _compute;
    private Promise? _forcer;
    private List<Trigger>? _waiters;
    private Result<T>? _outcome;

    private FiberLazy(Func<Fiber<T>>? compute, Result<T>? outcome)
    {
        _compute = compute;
        _outcome = outcome;
    }

    /// <summary>A lazy value that is already known.</summary>
    public static FiberLazy<T> FromValue(T value) => new(null, Result<T>.Ok(value));

    /// <summary>A lazy value computed by <paramref name="compute"/> on first use (direct style).</summary>
    [DirectStyle(nameof(FromFiber), Suspends = false)]
    public static FiberLazy<T> FromFunc([FiberBody] Func<T> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return new(() => Fiber<T>.FromResult(compute()), null);
    }

    /// <summary>A lazy value computed by the fiber <paramref name="compute"/> on first use.</summary>
    public static FiberLazy<T> FromFiber([FiberBody] Func<Fiber<T>> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return new(compute, null);
    }

    /// <summary>Whether the value (or the computation's exception) is known.</summary>
    public bool IsValueCreated
    {
        get
        {
            lock (_gate)
            {
                return _outcome is not null;
            }
        }
    }

    /// <summary>The value, computing it if needed (direct style).</summary>
    [DirectStyle(nameof(ForceAsync))]
    public T Force() => throw new NotInFiberException("FiberLazy.Force");

    /// <summary>
    /// The value, computing it in the calling fiber if nobody has, or parking until the fiber computing it is done. The
    /// computation's exception is rethrown to every forcer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The computation forces its own value.</exception>
    public async Fiber<T> ForceAsync()
    {
        if (Peek() is { } known)
        {
            return known.ValueOrThrow();
        }

        await OpAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        while (true)
        {
            Trigger trigger;
            Func<Fiber<T>>? compute = null;
            lock (_gate)
            {
                if (_outcome is { } done)
                {
                    return done.ValueOrThrow();
                }

                if (_forcer is null)
                {
                    _forcer = me;
                    compute = _compute;
                    trigger = null!;
                }
                else if (_forcer == me)
                {
                    throw new InvalidOperationException($"FiberLazy: {me.Describe()} forced a lazy value from its own computation.");
                }
                else
                {
                    trigger = new Trigger();
                    (_waiters ??= []).Add(trigger);
                }
            }

            if (compute is not null)
            {
                return await Compute(compute);
            }

            try
            {
                await trigger.AwaitAsync();
            }
            catch (CancelledException)
            {
                lock (_gate)
                {
                    _waiters?.Remove(trigger);
                }

                throw;
            }
        }
    }

    private async Fiber<T> Compute(Func<Fiber<T>> compute)
    {
        Result<T> outcome;
        try
        {
            outcome = Result<T>.Ok(await compute());
        }
        catch (CancelledException) when (DomainScheduler.CurrentTask is { CancelRequested: true })
        {
            // The forcer was cancelled: it did not compute the value. Let another forcer try. (Another task's cancellation,
            // rethrown by an await in the computation, is the computation's outcome, as any exception.)
            Finish(null);
            throw;
        }
        catch (Exception e)
        {
            outcome = Result<T>.Fail(ExceptionDispatchInfo.Capture(e));
        }

        Finish(outcome);
        return outcome.ValueOrThrow();
    }

    private void Finish(Result<T>? outcome)
    {
        List<Trigger>? waiters;
        lock (_gate)
        {
            _outcome = outcome;
            _forcer = null;
            if (outcome is not null)
            {
                _compute = null;
            }

            waiters = _waiters;
            _waiters = null;
        }

        if (waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                waiter.Signal();
            }
        }
    }

    private Result<T>? Peek()
    {
        lock (_gate)
        {
            return _outcome;
        }
    }
}
