using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Sync;

/// <summary>What the synchronisation primitives do when a task is cancelled in them or a callback of theirs throws: the cancellation or the error reaches the task that should see it, and nothing is left parked or computed twice.</summary>
public class SyncFailureTests
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

    [Test]
    public void Lazy_whose_computation_fails_with_a_childs_cancellation_is_computed_once()
    {
        // The computation awaits a child it cancelled: that CancelledException is the computation's outcome (the forcer
        // itself was not cancelled), to be rethrown to every forcer, not a reason to compute again (spec §6.5, C40).
        var computed = 0;
        var outcomes = new List<string>();
        Fiber.Run(async () =>
        {
            var lazy = FiberLazy<int>.FromFiber(async () =>
            {
                computed++;
                var child = await Fiber.SpawnAsync(async () =>
                {
                    await TestKit.ParkForever();
                    return 0;
                });
                await Fiber.CancelAsync(child);
                return await Fiber.AwaitAsync(child);
            });
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    outcomes.Add($"value {await lazy.ForceAsync()}");
                }
                catch (CancelledException)
                {
                    outcomes.Add("cancelled");
                }
            }
        }, Runs.Fifo);

        Assert.That(outcomes, Is.EqualTo(new[] { "cancelled", "cancelled" }));
        Assert.That(computed, Is.EqualTo(1));
    }

    [Test]
    public void A_trigger_action_that_throws_does_not_keep_a_computations_other_waiters_parked()
    {
        // Completing a computation signals its attached triggers one after the other: an action attached to the first
        // that throws stopped the loop, and a fiber parked on the second trigger was never resumed (the run hung).
        var run = Task.Run(() => Fiber.Run(async () =>
        {
            var computation = new Computation<int>();
            var throwing = new Trigger();
            throwing.OnSignal(_ => throw new InvalidDataException("the action failed"));
            var awaited = new Trigger();
            Assert.That(computation.TryAttach(throwing), Is.True);
            Assert.That(computation.TryAttach(awaited), Is.True);
            var waiter = await Fiber.SpawnAsync(async () => await awaited.AwaitAsync());
            await TestKit.Yields(3);
            var error = Assert.Throws<InvalidDataException>(() => computation.TryReturn(1));
            await Fiber.AwaitAsync(waiter);
            return error!.Message;
        }, Runs.Fifo));

        Assert.That(run.Wait(TimeSpan.FromSeconds(10)), Is.True, "the fiber parked on the second trigger was never resumed");
        Assert.That(run.Result, Is.EqualTo("the action failed"));
    }

    [Test]
    public void Awaiting_a_trigger_another_task_awaits_names_both_tasks()
    {
        // The error a task gets at its await named neither it nor the task already parked on the trigger.
        string? message = null;
        Fiber.Run(async () =>
        {
            var trigger = new Trigger();
            var first = await Fiber.SpawnAsync(async () => await trigger.AwaitAsync());
            await TestKit.Yields(3);
            var second = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await trigger.AwaitAsync();
                }
                catch (InvalidOperationException e)
                {
                    message = e.Message;
                }
            });
            await Fiber.AwaitAsync(second);
            trigger.Signal();
            await Fiber.AwaitAsync(first);
        }, Runs.Fifo);

        Assert.That(message, Does.Contain("already awaiting").And.Contain("task #3").And.Contain("task #2"));
    }
}
