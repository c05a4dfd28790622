namespace Miou.Tests.Behaviour;

/// <summary>
/// Cancelling a task wherever it is suspended: in an await, a trigger, a syscall, a mutex, a condition, a yield loop, or
/// before it started. The finally blocks run exactly once and before <c>Cancel</c> returns; the promise then yields
/// <see cref="CancelledException"/>; the cancelled task's further operations throw at once; siblings are unaffected.
/// </summary>
public class CancellationTests
{
    public enum Parking
    {
        Await,
        Trigger,
        Syscall,
        MutexLock,
        ConditionWait,
        YieldLoop,
    }

    /// <summary>What one victim task did, observed from outside.</summary>
    private sealed class Victim(Parking parking, Shared shared)
    {
        public Parking Parking { get; } = parking;
        public Shared Shared { get; } = shared;
        public FiberCondition Condition { get; } = new();
        public FiberMutex OwnMutex { get; } = new();
        public Promise? Promise { get; set; }
        public int Finally { get; set; }
        public int GrandchildFinally { get; set; }
        public bool RanPastThePark { get; set; }
        public bool RanPastAFurtherOperation { get; set; }
        public bool SpawnedFromFinally { get; set; }
        public Exception? FurtherYield { get; set; }
        public Exception? FurtherSpawn { get; set; }
    }

    /// <summary>What the victims of one run share: the run's trace, its event source, a mutex the parent holds.</summary>
    private sealed class Shared
    {
        public List<TraceEvent> Trace { get; } = [];
        public ScriptedEvents Events { get; } = new();
        public FiberMutex HeldMutex { get; } = new();

        public RunOptions Options(RunOptions baseOptions) => baseOptions with { Domains = 0, Trace = Trace.Add, Events = _ => Events };
    }

    private static async Fiber VictimBody(Victim v)
    {
        try
        {
            switch (v.Parking)
            {
                case Parking.Await:
                    var grandchild = await Fiber.SpawnAsync(async () =>
                    {
                        try
                        {
                            await TestKit.ParkForever();
                        }
                        finally
                        {
                            v.GrandchildFinally++;
                        }
                    });
                    await Fiber.AwaitAsync(grandchild);
                    break;
                case Parking.Trigger:
                    await TestKit.ParkForever();
                    break;
                case Parking.Syscall:
                    var syscall = await Fiber.SyscallAsync("never");
                    await Fiber.SuspendAsync(syscall, () => v.Shared.Events.Register(syscall));
                    break;
                case Parking.MutexLock:
                    await v.Shared.HeldMutex.LockAsync(); // the parent holds it
                    break;
                case Parking.ConditionWait:
                    await v.OwnMutex.LockAsync();
                    await v.Condition.WaitAsync(v.OwnMutex);
                    break;
                case Parking.YieldLoop:
                    await TestKit.YieldForever();
                    break;
            }

            v.RanPastThePark = true;
        }
        finally
        {
            v.Finally++;
            v.FurtherYield = await TestKit.CatchAsync<CancelledException>(async () =>
            {
                await Fiber.YieldAsync();
                v.RanPastAFurtherOperation = true;
            });
            v.FurtherSpawn = await TestKit.CatchAsync<CancelledException>(async () =>
            {
                await Fiber.SpawnAsync(async () => { v.SpawnedFromFinally = true; });
                v.RanPastAFurtherOperation = true;
            });
        }
    }

    /// <summary>Spawns the victim and returns once it is parked (seen in the trace) or, for a yield loop, running.</summary>
    private static async Fiber<Promise> SpawnParked(Victim v)
    {
        var p = await Fiber.SpawnAsync(() => VictimBody(v));
        v.Promise = p;
        if (v.Parking == Parking.YieldLoop)
        {
            await TestKit.Yields(5); // it never parks: let it loop a little
        }
        else
        {
            Assert.That(await TestKit.UntilParked(v.Shared.Trace, p), $"the {v.Parking} victim never parked");
        }

        return p;
    }

    private static IEnumerable<TestCaseData> EveryParkingUnderSeveralPolicies()
    {
        foreach (var parking in Enum.GetValues<Parking>())
        {
            yield return new TestCaseData(parking, TestKit.Fifo).SetArgDisplayNames(parking.ToString(), "Fifo");
            foreach (var seed in new ulong[] { 1, 2, 3 })
            {
                yield return new TestCaseData(parking, new RunOptions { Seed = seed }).SetArgDisplayNames(parking.ToString(), $"Random seed {seed}");
            }
        }
    }

    [TestCaseSource(nameof(EveryParkingUnderSeveralPolicies))]
    public void A_cancelled_suspended_task_runs_its_finally_once_before_Cancel_returns(Parking parking, RunOptions options)
    {
        var shared = new Shared();
        var v = new Victim(parking, shared);
        int finallyWhenCancelReturned = -1, grandchildFinallyWhenCancelReturned = -1;
        Exception? awaitedResult = null, awaitedThrow = null;
        var siblingValue = 0;
        var mutexLockedAfter = true;
        Fiber.Run(async () =>
        {
            await shared.HeldMutex.LockAsync();
            var sibling = await Fiber.SpawnAsync(async () =>
            {
                await TestKit.Yields(5);
                return 5;
            });
            var p = await SpawnParked(v);

            await Fiber.CancelAsync(p);
            finallyWhenCancelReturned = v.Finally;
            grandchildFinallyWhenCancelReturned = v.GrandchildFinally;

            await Fiber.CancelAsync(p); // twice: harmless
            awaitedResult = (await Fiber.AwaitResultAsync(p)).Error;
            awaitedThrow = await TestKit.CatchAsync<CancelledException>(async () => await Fiber.AwaitAsync(p));
            siblingValue = await Fiber.AwaitAsync(sibling);

            shared.HeldMutex.Unlock(); // a cancelled waiter must not have been handed the lock
            mutexLockedAfter = shared.HeldMutex.IsLocked;
        }, shared.Options(options));

        Assert.Multiple(() =>
        {
            Assert.That(finallyWhenCancelReturned, Is.EqualTo(1), "the finally had run when Cancel returned");
            Assert.That(v.Finally, Is.EqualTo(1), "the finally ran exactly once");
            Assert.That(v.RanPastThePark, Is.False);
            Assert.That(awaitedResult, Is.TypeOf<CancelledException>());
            Assert.That(awaitedThrow, Is.TypeOf<CancelledException>());
            Assert.That(v.FurtherYield, Is.TypeOf<CancelledException>(), "a yield in the cancelled task's finally throws");
            Assert.That(v.FurtherSpawn, Is.TypeOf<CancelledException>(), "a spawn in the cancelled task's finally throws");
            Assert.That(v.RanPastAFurtherOperation, Is.False);
            Assert.That(v.SpawnedFromFinally, Is.False);
            Assert.That(siblingValue, Is.EqualTo(5), "the sibling is unaffected");
            Assert.That(mutexLockedAfter, Is.False, "no stale mutex waiter");
            Assert.That(v.OwnMutex.IsLocked, Is.False, "a wait cancelled while parked does not take the mutex again");
            if (parking == Parking.Await)
            {
                Assert.That(grandchildFinallyWhenCancelReturned, Is.EqualTo(1), "Cancel returns once the whole subtree is down");
                Assert.That(v.GrandchildFinally, Is.EqualTo(1));
            }
        });
    }

    [Test]
    public void A_cancelled_syscall_is_reported_to_the_event_source_at_its_next_select()
    {
        var shared = new Shared();
        Syscall? cancelled = null;
        Fiber.Run(async () =>
        {
            var other = await Fiber.SyscallAsync("other");
            var p = await Fiber.SpawnAsync(async () =>
            {
                cancelled = await Fiber.SyscallAsync("victim");
                await Fiber.SuspendAsync(cancelled, () => shared.Events.Register(cancelled));
            });
            Assert.That(await TestKit.UntilParked(shared.Trace, p));
            await Fiber.CancelAsync(p);
            shared.Events.Ready(other); // the root suspends in turn; the select that resumes it learns of the cancellation
            await Fiber.SuspendAsync(other, () => shared.Events.Register(other));
        }, shared.Options(TestKit.Fifo));

        Assert.That(shared.Events.Cancelled, Is.EqualTo(new[] { cancelled!.Id }));
        Assert.That(shared.Events.Disposed, Is.True);
    }

    [Test]
    public void A_task_cancelled_before_it_started_never_runs_its_body()
    {
        var ran = false;
        Exception? awaited = null;
        var state = PromiseState.Running;
        Fiber.Run(async () =>
        {
            // Quanta 4: the spawn (2 operations) and the cancel (2) happen in one slot, before the child's first.
            var p = await Fiber.SpawnAsync(async () => { ran = true; });
            await Fiber.CancelAsync(p);
            state = p.State;
            awaited = (await Fiber.AwaitResultAsync(p)).Error;
        }, TestKit.Fifo with { Quanta = 4 });

        Assert.That(ran, Is.False);
        Assert.That(state, Is.EqualTo(PromiseState.Exited));
        Assert.That(awaited, Is.TypeOf<CancelledException>());
    }

    [Test]
    public void A_child_spawned_right_before_its_parent_fails_never_starts()
    {
        var started = new List<int>();
        Exception? failure = null;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                // Under FIFO the children spawned earlier start during the parent's next spawn; the last one is still
                // queued when the parent fails, and its cancellation comes first (spec §8.2).
                for (var i = 0; i < 3; i++)
                {
                    var n = i;
                    await Fiber.SpawnAsync(async () => started.Add(n));
                }

                throw new FormatException("fails before its last child ran");
            });
            failure = (await Fiber.AwaitResultAsync(p)).Error;
        }, TestKit.Fifo);

        Assert.That(failure, Is.TypeOf<FormatException>());
        Assert.That(started, Is.EqualTo(new[] { 0, 1 }));
    }

    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(2UL)]
    public void A_failing_parent_cancels_its_children_whose_finally_blocks_run_before_Run_returns(ulong seed)
    {
        var shared = new Shared();
        var victims = Enum.GetValues<Parking>().Select(parking => new Victim(parking, shared)).ToList();
        Exception? parentFailure = null;
        var siblingValue = 0;
        Fiber.Run(async () =>
        {
            await shared.HeldMutex.LockAsync();
            var sibling = await Fiber.SpawnAsync(async () =>
            {
                await TestKit.Yields(10);
                return 5;
            });
            var parent = await Fiber.SpawnAsync(async () =>
            {
                foreach (var v in victims)
                {
                    await SpawnParked(v);
                }

                throw new FormatException("the parent fails with its children suspended");
            });
            parentFailure = (await Fiber.AwaitResultAsync(parent)).Error;
            siblingValue = await Fiber.AwaitAsync(sibling);
            shared.HeldMutex.Unlock();
        }, shared.Options(new RunOptions { Seed = seed }));

        Assert.That(parentFailure, Is.TypeOf<FormatException>());
        Assert.That(siblingValue, Is.EqualTo(5));
        Assert.That(shared.HeldMutex.IsLocked, Is.False, "no cancelled waiter was handed the mutex");
        foreach (var v in victims)
        {
            Assert.That(v.Finally, Is.EqualTo(1), $"{v.Parking}: finally ran once");
            Assert.That(v.RanPastThePark, Is.False, $"{v.Parking}");
            Assert.That(v.FurtherYield, Is.TypeOf<CancelledException>(), $"{v.Parking}: the child saw Cancelled, not its parent's exception");
        }

        Assert.That(victims.Single(v => v.Parking == Parking.Await).GrandchildFinally, Is.EqualTo(1));
    }

    [Test]
    public void Cancelling_a_child_that_already_finished_is_legal_and_runs_nothing_again()
    {
        var finallies = 0;
        Exception? afterCancel = null;
        var before = 0;
        Fiber.Run(async () =>
        {
            var done = new Trigger();
            var p = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    return 7;
                }
                finally
                {
                    finallies++;
                    done.Signal();
                }
            });
            await done.AwaitAsync();
            before = finallies;
            await Fiber.CancelAsync(p);
            await Fiber.CancelAsync(p);
            afterCancel = (await Fiber.AwaitResultAsync(p)).Error;
        });

        Assert.That(before, Is.EqualTo(1));
        Assert.That(finallies, Is.EqualTo(1));
        Assert.That(afterCancel, Is.TypeOf<CancelledException>());
    }

    [Test]
    public void Cancelling_a_task_that_holds_a_finished_unawaited_child_returns()
    {
        // Once a hang: the finished child was never unlinked from its cancelled parent, so Cancel waited forever. The run
        // is on its own thread so that a regression fails this test instead of hanging the session.
        var cancelReturned = false;
        var run = new Thread(() => Fiber.Run(async () =>
        {
            var holding = new Trigger();
            var c = await Fiber.SpawnAsync(async () =>
            {
                var g = await Fiber.SpawnAsync(async () => 1);
                while (g.State == PromiseState.Running)
                {
                    await Fiber.YieldAsync();
                }

                holding.Signal(); // g has returned; c would await it later
                await TestKit.ParkForever();
                await Fiber.AwaitAsync(g);
            });
            await holding.AwaitAsync();
            await Fiber.CancelAsync(c);
            cancelReturned = true;
        }, new RunOptions { Domains = 0 })) { IsBackground = true };
        run.Start();
        Assert.That(run.Join(TimeSpan.FromMinutes(1)), Is.True, "the run hung: Cancel never returned");
        Assert.That(cancelReturned, Is.True);
    }

    [Test]
    public void A_cancelled_task_that_catches_the_cancellation_still_sees_it_at_every_further_operation()
    {
        var seen = new List<string>();
        Exception? awaited = null;
        Fiber.Run(async () =>
        {
            var started = new Trigger();
            var p = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    try
                    {
                        if (i == 0)
                        {
                            started.Signal();
                            await TestKit.ParkForever();
                        }
                        else
                        {
                            await Domain.SelfAsync();
                        }

                        seen.Add($"{i}: went on");
                    }
                    catch (CancelledException)
                    {
                        seen.Add($"{i}: cancelled");
                    }
                }

                return 1; // swallowed the cancellation and returned: still cancelled (spec §1.9)
            });
            await started.AwaitAsync();
            await Fiber.CancelAsync(p);
            awaited = (await Fiber.AwaitResultAsync(p)).Error;
        }, new RunOptions { Domains = 0 });

        Assert.That(seen, Is.EqualTo(new[] { "0: cancelled", "1: cancelled", "2: cancelled" }));
        Assert.That(awaited, Is.TypeOf<CancelledException>());
    }
}
