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
    [Test]
    public void Transfer_to_a_parent_that_failed_meanwhile_on_another_domain_finalises_the_resource()
    {
        // The child on a worker gives its resource to the root on dom0; the root fails after the child posted the
        // transfer but before dom0 took it in. The root's resources were finalised when it failed: the resource arriving
        // afterwards must be finalised too, not attached to a dead task and forgotten.
        var finalised = 0;
        using var posted = new ManualResetEventSlim(false);
        var options = new RunOptions
        {
            Domains = 1,
            Seed = 1,
            // The child parks on the transfer's acknowledgement (on domain 1) right after posting the transfer.
            Trace = e =>
            {
                if (e is { Kind: TraceKind.Await, Domain: 1 })
                {
                    posted.Set();
                }
            },
        };

        Assert.Throws<InvalidTimeZoneException>(() => Fiber.Run(async () =>
        {
            _ = await Fiber.CallAsync(async () =>
            {
                var resource = Ownership.Create(0, _ => Interlocked.Increment(ref finalised));
                await Ownership.OwnAsync(resource);
                await Ownership.TransferAsync(resource);
            });
            posted.Wait(); // dom0 is held here: the transfer stays in its inbox until the root has failed
            throw new InvalidTimeZoneException("the root fails"); // and its child is cancelled
        }, options));

        Assert.That(Volatile.Read(ref finalised), Is.EqualTo(1));
    }
    [Test]
    public void An_event_source_factory_that_throws_on_dom0_carries_the_seed()
    {
        // "Any escaping exception has it in Exception.Data["Miou.Seed"]" (Fiber.Run): the factory of dom0's event source
        // runs on the calling thread before the root; a worker's factory that throws was stamped, dom0's was not.
        var e = Assert.Throws<FormatException>(() => Fiber.Run(async () => await Fiber.YieldAsync(), new RunOptions
        {
            Domains = 0,
            Seed = 4242,
            Events = _ => throw new FormatException("no event source today"),
        }))!;

        Assert.That(e.Data["Miou.Seed"], Is.EqualTo(4242UL));
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
    public void A_trace_consumer_that_throws_stops_the_run_with_its_exception()
    {
        // The consumer is called in the middle of the scheduler's bookkeeping. Its exception escaped into whatever code
        // emitted the event: here the spawn, after the child was linked to its parent and before it was queued, so the
        // parent got the exception, no promise, and then a StillHasChildrenException for a child it never saw.
        var thrown = false;
        var options = Runs.Fifo with
        {
            Trace = e =>
            {
                if (e.Kind == TraceKind.Spawn && !thrown)
                {
                    thrown = true;
                    throw new FormatException("the trace consumer failed");
                }
            },
        };

        var error = Assert.Catch(() => Fiber.Run(async () =>
        {
            try
            {
                await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => { }));
            }
            catch (FormatException)
            {
                return 0; // a task that handles what it may: the consumer's error is not its own
            }

            return 1;
        }, options));

        Assert.That(error, Is.InstanceOf<FormatException>());
        Assert.That(error!.Data["Miou.Seed"], Is.EqualTo(1UL));
    }
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
    [Test]
    public void Spawn_and_Call_check_the_resources_given()
    {
        // A null in `give` was attached to the child as a resource: the child's end then failed with a
        // NullReferenceException inside the scheduler (a fatal error naming nothing). It is an argument error at the call.
        var errors = new List<string>();
        Fiber.Run(async () =>
        {
            Resource[] withNull = [null!];
            foreach (var spawn in new Func<Fiber>[]
            {
                async () => await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => { }, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => 1, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.CallAsync(async () => { }, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.CallAsync(async () => 1, give: withNull)),
            })
            {
                try
                {
                    await spawn();
                    errors.Add("none");
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{e.ParamName}");
                }
            }
        }, Runs.Fifo with { Domains = 1 });

        Assert.That(errors, Is.EqualTo(new[] { "give", "give", "give", "give" }));
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
