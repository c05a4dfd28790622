using Miou.Scheduling;
using Miou.Tests.Support;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A step reads one count, the domain's attention (hooks + queued cancellations + tasks suspended on the event source),
/// instead of the three; when it is zero it skips them. These pin that the count follows the hooks added, removed twice,
/// and removed because they threw, and the cancellations queued and processed, back to zero, on FIFO and two seeds: a
/// count left above zero would only cost time (every step would look), one below would skip a hook or a cancellation.
/// </summary>
public class StepAttentionTests
{
    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(2UL)]
    public void The_count_follows_hooks_and_cancellations_back_to_zero(ulong seed)
    {
        var log = new List<string>();
        var runs = 0;
        var options = (seed == 0 ? Runs.Fifo : Runs.Seeded(seed)) with
        {
            OnUnobservedError = (what, _) => log.Add(what.EndsWith("threw and was removed", StringComparison.Ordinal) ? "a hook removed" : what),
        };
        Fiber.Run(async () =>
        {
            var domain = DomainScheduler.Current!;
            log.Add($"start {domain.Attention}");
            var counting = await Hook.AddAsync(() => runs++);
            var throwing = await Hook.AddAsync(() => throw new InvalidOperationException("hook"));
            log.Add($"two hooks {domain.Attention}");
            await Fiber.YieldAsync(); // a step runs the hooks: the throwing one is removed
            log.Add($"one thrown {domain.Attention}");
            await counting.RemoveAsync();
            await counting.RemoveAsync(); // harmless, and not counted twice
            log.Add($"removed {domain.Attention}");

            var child = await Fiber.SpawnAsync(async () =>
            {
                while (true)
                {
                    await Fiber.YieldAsync();
                }
            });
            // The cancellation is queued, processed at the next step's start; the answer that resumes this task dispatches it
            // once more (cancelling twice is harmless), and that one is still queued when the task goes on.
            await Fiber.CancelAsync(child);
            log.Add($"cancelled {domain.Attention}");
            await Fiber.YieldAsync();
            log.Add($"after a step {domain.Attention}");
            await throwing.RemoveAsync(); // already removed: nothing to count
            log.Add($"end {domain.Attention}");
        }, options);

        Assert.That(runs, Is.GreaterThan(0));
        Assert.That(log, Is.EqualTo(new[]
        {
            "start 0", "two hooks 2", "a hook removed", "one thrown 1", "removed 0", "cancelled 1", "after a step 0", "end 0",
        }));
    }
}
