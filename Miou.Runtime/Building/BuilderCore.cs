using System.Runtime.CompilerServices;
using Miou.Scheduling;

namespace Miou.Building;

/// <summary>What both builders do on a suspension: check the awaiter is Miou's, box the frame, hand it to the awaiter.</summary>
internal static class BuilderCore
{
    internal static void Suspend<TAwaiter>(ref TAwaiter awaiter, FiberBox box) where TAwaiter : ICriticalNotifyCompletion
    {
        if (awaiter is not IFiberAwaiter)
        {
            throw ForeignAwaitable(typeof(TAwaiter));
        }

        var domain = DomainScheduler.Current;
        if (domain?.Running is null)
        {
            throw new InvalidOperationException("An async Fiber method suspended outside a Miou run: start it with Fiber.Run.");
        }

        if (!ReferenceEquals(domain.SuspendingFrame, box))
        {
            domain.SuspendingFrame = box; // a loop suspends the same frame again and again: skip the store's write barrier
        }
        awaiter.UnsafeOnCompleted(FiberBox.SuspendSentinel);
    }

    internal static InvalidOperationException ForeignAwaitable(Type awaiter) => new(
        $"A fiber awaited a {Describe(awaiter)}, which is not a Miou awaitable: inside a fiber, only Miou's operations and other " +
        "fibers can be awaited, because a continuation must run on its own domain's scheduler. To wait for a Task or ValueTask " +
        "without blocking the domain, use Fiber.AwaitTask(task) (awaitable: Fiber.AwaitTaskAsync).");

    private static string Describe(Type awaiter) => awaiter.DeclaringType is { } owner ? $"{owner.Name} (awaiter {awaiter.Name})" : awaiter.Name;
}
