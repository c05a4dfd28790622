using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Miou.Scheduling;

namespace Miou.Building;

/// <summary>
/// What both builders do. A builder keeps one slot, <c>boxOrError</c>: the frame once it suspended, or the exception of a
/// synchronous failure (one slot, because the state machine is copied into the frame, so every builder field costs bytes
/// in every suspended fiber).
/// </summary>
internal static class BuilderCore
{
    /// <summary>Completes with an exception: the frame's, or the synchronous failure kept in the slot.</summary>
    internal static void SetException(ref object? boxOrError, Exception exception)
    {
        if (boxOrError is FiberBox box)
        {
            box.SetException(exception);
        }
        else
        {
            boxOrError = ExceptionDispatchInfo.Capture(exception);
        }
    }

    /// <summary>Suspends on a Miou awaiter: checks it is Miou's, then hands it the (already boxed) frame.</summary>
    internal static void Suspend<TAwaiter>(ref TAwaiter awaiter, FiberBox box) where TAwaiter : ICriticalNotifyCompletion
    {
        if (awaiter is not IFiberAwaiter)
        {
            throw ForeignAwaitable(typeof(TAwaiter));
        }

        var domain = DomainScheduler.Current;
        if (domain?.Running is not { } task)
        {
            throw new InvalidOperationException("An async Fiber method suspended outside a Miou run: start it with Fiber.Run.");
        }

        if (default(TAwaiter) is not null && awaiter is IOperationAwaiter)
        {
            // A struct awaiter of one operation (JIT-time constant; the interface call on the struct is devirtualised and
            // does not box): register it here, with the frame at hand.
            Suspension.Register(task, box, ((IOperationAwaiter)awaiter).Operation);
            return;
        }

        if (!ReferenceEquals(domain.SuspendingFrame, box))
        {
            domain.SuspendingFrame = box; // a loop suspends the same frame again and again: skip the store's write barrier
        }
        awaiter.UnsafeOnCompleted(domain.SuspendSentinel);
    }

    internal static InvalidOperationException ForeignAwaitable(Type awaiter) => new(
        $"A fiber awaited a {Describe(awaiter)}, which is not a Miou awaitable: inside a fiber, only Miou's operations and other " +
        "fibers can be awaited, because a continuation must run on its own domain's scheduler. To wait for a Task or ValueTask " +
        "without blocking the domain, use Fiber.AwaitTask(task) (awaitable: Fiber.AwaitTaskAsync).");

    private static string Describe(Type awaiter) => awaiter.DeclaringType is { } owner ? $"{owner.Name} (awaiter {awaiter.Name})" : awaiter.Name;
}
