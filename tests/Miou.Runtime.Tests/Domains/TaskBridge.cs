using Miou.Tests.Support;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// The bridges with .NET tasks, both ways (issue 3, "Bridging with the .NET ecosystem"): a fiber waits for a
/// <see cref="Task"/> without blocking its domain and is resumed on its own domain; plain <c>async</c> code starts a run
/// and awaits its result without blocking.
/// </summary>
public class TaskBridge
{
    /// <summary>Where the waiting fiber runs.</summary>
    public enum Where
    {
        Dom0,
        Worker,
    }

    [Test]
    public void Task_completing_on_the_thread_pool_resumes_the_fiber_on_its_own_domain([Values] Where where) => ForSeeds(seed =>
    {
        // The task is released by a sibling fiber of the same domain, once the waiter is parked: if waiting for the task
        // blocked the domain, the sibling could never run (the safety timeout would then fault the task). The task itself
        // completes on a thread-pool thread, whose completion must not run the fiber: the fiber resumes on its domain's
        // thread.
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var _ = safety.Token.Register(() => release.TrySetException(new TimeoutException("the sibling fiber never ran")));
        var poolTask = Task.Run(async () =>
        {
            var value = await release.Task;
            await Task.Yield();
            return (value, Thread.CurrentThread);
        });

        async Fiber<(Domain Before, Domain After, Thread BeforeThread, Thread AfterThread, int Value, Thread CompletedOn)> WaitHere()
        {
            var parked = new Trigger();
            var waiter = await Fiber.SpawnAsync(async () =>
            {
                var before = await Domain.SelfAsync();
                var beforeThread = Thread.CurrentThread;
                parked.Signal(); // this fiber parks in the same slot, before its sibling can run
                var (value, completedOn) = await Fiber.AwaitTaskAsync(poolTask);
                var afterThread = Thread.CurrentThread;
                return (before, await Domain.SelfAsync(), beforeThread, afterThread, value, completedOn);
            });
            var releaser = await Fiber.SpawnAsync(async () =>
            {
                await parked.AwaitAsync();
                release.SetResult(7);
            });
            await Fiber.AwaitAsync(releaser);
            return await Fiber.AwaitAsync(waiter);
        }

        var o = Fiber.Run(async () =>
        {
            if (where == Where.Dom0)
            {
                return await WaitHere();
            }

            var p = await Fiber.CallAsync(WaitHere);
            return await Fiber.AwaitAsync(p);
        }, Three(seed));

        Assert.That(o.Value, Is.EqualTo(7));
        Assert.That(o.Before, where == Where.Dom0 ? Is.EqualTo(Domain.Dom0) : Is.Not.EqualTo(Domain.Dom0));
        Assert.That(o.After, Is.EqualTo(o.Before), "resumed on its own domain");
        Assert.That(o.AfterThread, Is.SameAs(o.BeforeThread), "resumed on its domain's thread");
        Assert.That(o.CompletedOn, Is.Not.SameAs(o.BeforeThread), "the task completed on another thread");
        Assert.That(o.CompletedOn.IsThreadPoolThread, Is.True);
    });

    [Test]
    public void AwaitTask_rethrows_the_exception_of_a_faulted_task() => ForSeeds(seed =>
    {
        var result = Fiber.Run(async () =>
        {
            var p = await Fiber.CallAsync(async () =>
                await Fiber.AwaitTaskAsync(Task.Run<int>(async () =>
                {
                    await Task.Yield();
                    throw new Failure("from the pool");
                })));
            return await Fiber.AwaitResultAsync(p);
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<Failure>().With.Message.EqualTo("from the pool"));
    });

    [Test]
    public void Cancelling_a_fiber_that_waits_for_a_task_stops_the_wait() => ForSeeds(seed =>
    {
        // The task never completes during the run: the cancel must still return, the waiter ends cancelled, and the
        // completion that comes after the run is harmless.
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finallies = 0;
        var result = Fiber.Run(async () =>
        {
            var waiting = new Trigger();
            var p = await Fiber.CallAsync(async () =>
            {
                waiting.Signal();
                try
                {
                    return await Fiber.AwaitTaskAsync(never.Task);
                }
                finally
                {
                    Interlocked.Increment(ref finallies);
                }
            });
            await waiting.AwaitAsync();
            await Fiber.CancelAsync(p);
            return await Fiber.AwaitResultAsync(p);
        }, Three(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        Assert.That(finallies, Is.EqualTo(1));
        Assert.That(never.Task.IsCompleted, Is.False, "the task itself goes on");
        never.SetResult(1);
    });

    [Test]
    public async Task Run_started_from_an_async_method()
    {
        // RunAsTask gives a Task of the root's value without blocking its caller: the run waits for a value this method
        // only provides after RunAsTask has returned. (Were RunAsTask blocking, the safety timeout would end the wait, and
        // the task would already be complete when RunAsTask returned.)
        var input = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var _ = safety.Token.Register(() => input.TrySetException(new TimeoutException("RunAsTask blocked its caller")));
        var caller = Thread.CurrentThread;
        Thread? dom0 = null;

        var run = Fiber.RunAsTask(async () =>
        {
            dom0 = Thread.CurrentThread;
            var p = await Fiber.CallAsync(async () => await Fiber.AwaitTaskAsync(input.Task) * 2);
            return await Fiber.AwaitAsync(p);
        }, Three(1));

        Assert.That(run.IsCompleted, Is.False, "RunAsTask returned before the run could end");
        input.SetResult(21);
        Assert.That(await run, Is.EqualTo(42));
        Assert.That(dom0, Is.Not.Null.And.Not.SameAs(caller), "the run has a dom0 thread of its own");
    }

    [Test]
    public void RunAsTask_faults_with_what_Run_would_throw()
    {
        var error = Assert.ThrowsAsync<StillHasChildrenException>(async () => await Fiber.RunAsTask(async () =>
        {
            _ = await Fiber.CallAsync(Bodies.Nothing);
        }, Three(1)));
        Assert.That(error!.Message, Does.Contain("neither awaited nor cancelled"));

        var failure = Assert.ThrowsAsync<Failure>(async () => await Fiber.RunAsTask(async () =>
        {
            var p = await Fiber.CallAsync(async () => throw new Failure("root"));
            await Fiber.AwaitAsync(p);
        }, Three(2)));
        Assert.That(failure!.Message, Is.EqualTo("root"));
    }
}
