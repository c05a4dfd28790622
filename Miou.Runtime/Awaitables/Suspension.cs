using Miou.Building;

namespace Miou.Scheduling;

/// <summary>How Miou's awaiters register a suspension on the current task, and take the answer when resumed.</summary>
internal static class Suspension
{
    /// <summary>The task running on this thread; throws if there is none (the caller is not a fiber).</summary>
    internal static Promise CurrentTask(string operation) =>
        DomainScheduler.CurrentTask ?? throw new InvalidOperationException(
            $"{operation} was used outside a fiber: Miou's awaitables can only be awaited in 'async Fiber' methods run by Fiber.Run.");

    /// <summary>Registers the pending operation; called from an awaiter's <c>UnsafeOnCompleted</c>.</summary>
    internal static void Register(Action continuation, OpKind op, object? target, int phase = 0) =>
        Register(continuation, new PendingOp(op, target, phase));

    /// <summary>Registers the pending operation; called from an awaiter's <c>UnsafeOnCompleted</c>.</summary>
    internal static void Register(Action continuation, PendingOp op)
    {
        var domain = FromBuilder(continuation);
        Register(domain.Running!, domain.SuspendingFrame!, op);
    }

    /// <summary>Registers the pending operation of <paramref name="task"/>, suspended in <paramref name="frame"/>.</summary>
    internal static void Register(Promise task, FiberBox frame, PendingOp op)
    {
        if (task.Op != OpKind.None)
        {
            if (task.Domain.TakeRegisteredInPlace(task, op))
            {
                if (!ReferenceEquals(task.Frame, frame))
                {
                    task.Frame = frame;
                }

                return; // DomainScheduler.RunOperationInPlace registered it, and the task is queued or parked
            }

            throw Rules.DiscardedFiber(task);
        }

        task.Op = op.Op;
        if (op.Target is null)
        {
            task.OpTarget = null; // most operations have no target: a null store needs no GC write barrier
        }
        else
        {
            task.OpTarget = op.Target;
        }

        task.OpPhase = (byte)op.Phase;
        if (!ReferenceEquals(task.Frame, frame))
        {
            task.Frame = frame; // usually the same frame suspending again: skip the store and its GC write barrier
        }
    }

    /// <summary>A caller awaits a nested fiber that suspended: resume the caller when the callee completes.</summary>
    internal static void ChainCallee(FiberBox callee, Action continuation)
    {
        var domain = FromBuilder(continuation);
        if (callee.HasContinuation)
        {
            throw new InvalidOperationException("A Fiber can be awaited only once.");
        }

        callee.SetContinuation(domain.SuspendingFrame!);
    }

    /// <summary>On resumption: the exception to throw at the suspension point (a rule broken, a cancellation), if any.</summary>
    internal static Exception? TakeException(out Promise task)
    {
        var domain = DomainScheduler.Current!;
        task = domain.Running!;
        var error = domain.ResumeException;
        domain.ResumeException = null;
        return error;
    }

    /// <summary>On resumption of an operation with nothing to undo: throw what must be thrown.</summary>
    internal static Promise Resumed()
    {
        if (TakeException(out var task) is { } error)
        {
            throw error;
        }

        return task;
    }

    /// <summary>
    /// The domain whose builder passed <paramref name="continuation"/>, its suspension sentinel, to an awaiter's
    /// <c>UnsafeOnCompleted</c>; its running task is suspending in <see cref="DomainScheduler.SuspendingFrame"/> (no
    /// thread-static read).
    /// </summary>
    internal static DomainScheduler FromBuilder(Action continuation)
    {
        if (continuation.Target is not DomainScheduler domain || !ReferenceEquals(continuation, domain.SuspendSentinel))
        {
            throw new InvalidOperationException(
                "Miou's awaitables can only be awaited in 'async Fiber' methods (their builder drives Miou's scheduler), not in " +
                "'async Task' methods or through other awaiters. To start a run from async code, call Fiber.Run on a thread of its own.");
        }

        System.Diagnostics.Debug.Assert(domain.IsCurrentThread, "a builder suspends on its own domain's thread");
        return domain;
    }
}
