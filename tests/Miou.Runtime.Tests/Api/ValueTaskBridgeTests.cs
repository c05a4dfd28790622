namespace Miou.Tests.Api;

/// <summary>The Task bridge also takes ValueTask and ValueTask&lt;T&gt;, completed or pending.</summary>
public class ValueTaskBridgeTests
{
    private static async ValueTask<int> LaterValue(int value)
    {
        await Task.Delay(10);
        return value;
    }

    private static async ValueTask LaterFailure()
    {
        await Task.Delay(10);
        throw new InvalidOperationException("value task failed");
    }

    [Test]
    public void A_pending_ValueTask_of_T_resumes_the_fiber_with_its_value([Values(0, 1)] int domains)
    {
        var value = Fiber.Run(async () =>
        {
            var child = await Fiber.SpawnAsync(async () => await Fiber.AwaitTaskAsync(LaterValue(41)) + 1);
            return await Fiber.AwaitAsync(child);
        }, new RunOptions { Domains = domains });
        Assert.That(value, Is.EqualTo(42));
    }

    [Test]
    public void A_completed_ValueTask_of_T_is_still_a_scheduling_point_and_gives_its_value()
    {
        var value = Fiber.Run(async () => await Fiber.AwaitTaskAsync(new ValueTask<int>(7)), new RunOptions { Domains = 0 });
        Assert.That(value, Is.EqualTo(7));
    }

    [Test]
    public void A_failing_ValueTask_rethrows_its_exception_in_the_fiber()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Fiber.Run(async () => await Fiber.AwaitTaskAsync(LaterFailure()), new RunOptions { Domains = 0 }));
        Assert.That(error!.Message, Is.EqualTo("value task failed"));
    }
}
