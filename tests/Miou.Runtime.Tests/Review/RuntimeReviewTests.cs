using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Review;

/// <summary>Defects found by a review of the runtime: each test failed before its fix.</summary>
public class RuntimeReviewTests
{
    [Test]
    public void Mutex_Protect_cancelled_in_a_condition_wait_throws_the_cancellation()
    {
        // A condition wait cancelled while parked does not re-take the mutex (spec §6.4); Protect then must not turn the
        // cancellation into "unlocked a mutex that is not locked" (spec §6.3: protect ignores that unlock's error).
        Exception? seen = null;
        var lockedAtEnd = true;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            var condition = new FiberCondition();
            var child = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await mutex.ProtectAsync(async () =>
                    {
                        await condition.WaitAsync(mutex);
                        return 0;
                    });
                }
                catch (Exception e)
                {
                    seen = e;
                    throw;
                }
            });
            await TestKit.Yields(5);
            await Fiber.CancelAsync(child);
            lockedAtEnd = mutex.IsLocked;
        }, Runs.Fifo);

        Assert.That(seen, Is.InstanceOf<CancelledException>());
        Assert.That(lockedAtEnd, Is.False);
    }
}
