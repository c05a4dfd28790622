using Miou.Scheduling;
using Miou.Tests.Support;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A trace consumer sees the awaiting task as the current task at its Await event, whichever path answered the await: the
/// slot (<c>AnswerOther</c>) or the awaiter, in place (<c>RunOperationInPlace</c>, the root on dom0 awaiting a running
/// child). Before the fix the in-place path traced the event with no current task.
/// </summary>
public class AwaitTraceCurrentTaskTests
{
    [Test]
    public void Every_await_event_has_its_task_current_under_FIFO() => AssertAwaitEvents(Runs.Fifo);

    [Test]
    public void Every_await_event_has_its_task_current_under_seeds() => Runs.ForSeeds(seed => AssertAwaitEvents(Runs.Seeded(seed)), 8);

    private static void AssertAwaitEvents(RunOptions options)
    {
        var wrong = new List<string>();
        var awaits = new List<int>();
        void Consume(TraceEvent e)
        {
            if (e.Kind != TraceKind.Await)
            {
                return;
            }

            awaits.Add(e.PromiseId);
            var current = DomainScheduler.CurrentTask?.Id;
            if (current != e.PromiseId)
            {
                wrong.Add($"Await of #{e.PromiseId} with #{current?.ToString() ?? "none"} current");
            }
        }

        Fiber.Run(async () =>
        {
            // Children that yield before they return: the root's awaits find them running and park.
            var children = new Promise[4];
            for (var i = 0; i < children.Length; i++)
            {
                var yields = 20 * (i + 1); // longer than the spawns after it: still running when awaited
                children[i] = await Fiber.SpawnAsync(async () =>
                {
                    for (var y = 0; y < yields; y++)
                    {
                        await Fiber.YieldAsync();
                    }
                });
            }

            foreach (var child in children)
            {
                await Fiber.AwaitAsync(child);
            }
        }, options with { Trace = Consume });

        Assert.That(awaits, Does.Contain(1), "the root parked on a running child at least once");
        Assert.That(wrong, Is.Empty);
    }
}
