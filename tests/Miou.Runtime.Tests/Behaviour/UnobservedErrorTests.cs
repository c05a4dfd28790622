using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Behaviour;

/// <summary>An error that no task can observe is reported to RunOptions.OnUnobservedError, never dropped.</summary>
public class UnobservedErrorTests
{
    [Test]
    public void An_exception_a_cancelled_task_throws_instead_of_its_cancellation_is_reported()
    {
        // The cancelled task's outcome is its cancellation (set when it was cancelled), so an exception its cleanup throws
        // afterwards can never reach its parent: it was dropped without a trace. It goes to OnUnobservedError now.
        var reported = new List<Exception>();
        Fiber.Run(async () =>
        {
            var child = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await TestKit.ParkForever();
                }
                finally
                {
                    throw new InvalidDataException("the cleanup failed");
                }
            });
            await TestKit.Yields(3);
            await Fiber.CancelAsync(child);
        }, Runs.Fifo with { OnUnobservedError = (_, e) => reported.Add(e) });

        Assert.That(reported, Has.Count.EqualTo(1));
        Assert.That(reported[0], Is.InstanceOf<InvalidDataException>());
    }
}
