namespace Miou.Tests.Behaviour;

/// <summary>Edge cases of FiberMutex, FiberCondition, FiberLazy, Trigger and Computation (spec §6).</summary>
public class SyncEdgeCaseTests
{
    // ------------------------------------------------------------------ FiberMutex

    [Test]
    public void Q01_TryLock_really_locks_the_mutex_fixed()
    {
        bool first = false, second = true, byOther = true, afterUnlock = false;
        bool lockedAfterTry = false, lockedAtEnd = true;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            first = mutex.TryLock();
            lockedAfterTry = mutex.IsLocked; // the original returned true without locking (spec §10 Q1)
            second = mutex.TryLock(); // not re-entrant
            var other = await Fiber.SpawnAsync(async () => mutex.TryLock());
            byOther = await Fiber.AwaitAsync(other);
            mutex.Unlock(); // the original would throw "Mutex: unlocked" here
            afterUnlock = mutex.TryLock();
            mutex.Unlock();
            lockedAtEnd = mutex.IsLocked;
        });

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(lockedAfterTry, Is.True);
            Assert.That(second, Is.False);
            Assert.That(byOther, Is.False);
            Assert.That(afterUnlock, Is.True);
            Assert.That(lockedAtEnd, Is.False);
        });
    }

    [Test]
    public void TryLock_holds_off_a_Lock_until_Unlock()
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            Assert.That(mutex.TryLock(), Is.True);
            var waiter = await Fiber.SpawnAsync(async () =>
            {
                await mutex.LockAsync();
                log.Add("waiter locked");
                mutex.Unlock();
            });
            await TestKit.Yields(5);
            log.Add("root unlocks");
            mutex.Unlock();
            await Fiber.AwaitAsync(waiter);
        });

        Assert.That(log, Is.EqualTo(new[] { "root unlocks", "waiter locked" }));
    }

    [Test]
    public void Unlock_by_a_task_that_does_not_hold_the_mutex_throws()
    {
        InvalidOperationException? byOther = null, whenFree = null;
        var stillHeld = false;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            whenFree = await TestKit.CatchAsync<InvalidOperationException>(async () => mutex.Unlock());
            await mutex.LockAsync();
            var other = await Fiber.SpawnAsync(() => TestKit.CatchAsync<InvalidOperationException>(async () => mutex.Unlock()));
            byOther = await Fiber.AwaitAsync(other);
            stillHeld = mutex.IsLocked;
            mutex.Unlock();
        });

        Assert.That(whenFree, Is.Not.Null);
        Assert.That(whenFree!.Message, Does.Contain("not locked"));
        Assert.That(byOther, Is.Not.Null);
        Assert.That(byOther!.Message, Does.Contain("held by the root task #1"));
        Assert.That(stillHeld, Is.True);
    }

    [Test]
    public void Locking_a_mutex_the_task_already_holds_throws()
    {
        InvalidOperationException? error = null;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            await mutex.LockAsync();
            error = await TestKit.CatchAsync<InvalidOperationException>(async () => await mutex.LockAsync());
            mutex.Unlock();
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain("not re-entrant"));
    }

    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(3UL)]
    public void Mutex_waiters_are_served_in_FIFO_order_by_direct_hand_off(ulong seed)
    {
        var order = new List<int>();
        var trace = new List<TraceEvent>();
        var allParked = true;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            await mutex.LockAsync();
            var ps = new List<Promise>();
            for (var i = 0; i < 5; i++)
            {
                var n = i;
                ps.Add(await Fiber.SpawnAsync(async () =>
                {
                    await mutex.LockAsync();
                    order.Add(n);
                    await Fiber.YieldAsync();
                    mutex.Unlock();
                }));
                allParked &= await TestKit.UntilParked(trace, ps[^1]); // each waiter queues before the next is spawned
            }

            mutex.Unlock();
            await Fiber.AwaitAllAsync(ps);
        }, new RunOptions { Seed = seed, Trace = trace.Add });

        Assert.That(allParked, Is.True);
        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }

    // ------------------------------------------------------------------ FiberCondition

    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(3UL)]
    [TestCase(4UL)]
    [TestCase(5UL)]
    public void Q17_a_condition_wait_on_an_unheld_mutex_leaves_no_stale_waiter_fixed(ulong seed)
    {
        InvalidOperationException? error = null;
        var woken = false;
        var parked = false;
        var trace = new List<TraceEvent>();
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            var condition = new FiberCondition();
            error = await TestKit.CatchAsync<InvalidOperationException>(async () => await condition.WaitAsync(mutex));

            var waiter = await Fiber.SpawnAsync(async () =>
            {
                await mutex.LockAsync();
                await condition.WaitAsync(mutex);
                woken = true;
                mutex.Unlock();
            });
            parked = await TestKit.UntilParked(trace, waiter); // the waiter is parked on the condition
            condition.Signal(); // in the original, the stale waiter left by the failed wait absorbs this signal
            await TestKit.Yields(10);
            if (!woken)
            {
                await Fiber.CancelAsync(waiter); // do not hang: the assertion below reports it
            }

            await Fiber.AwaitResultAsync(waiter);
        }, new RunOptions { Seed = seed, Trace = trace.Add });

        Assert.That(parked, Is.True);
        Assert.That(error, Is.Not.Null);
        Assert.That(woken, Is.True, "the single Signal must wake the only real waiter");
    }

    [Test]
    public void A_condition_broadcast_wakes_every_waiter_oldest_first_and_each_retakes_the_mutex()
    {
        var order = new List<int>();
        var heldAfterWait = new List<bool>();
        var trace = new List<TraceEvent>();
        var allParked = true;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            var condition = new FiberCondition();
            var ps = new List<Promise>();
            for (var i = 0; i < 4; i++)
            {
                var n = i;
                ps.Add(await Fiber.SpawnAsync(async () =>
                {
                    await mutex.LockAsync();
                    await condition.WaitAsync(mutex);
                    heldAfterWait.Add(mutex.IsLocked);
                    order.Add(n);
                    mutex.Unlock();
                }));
                allParked &= await TestKit.UntilParked(trace, ps[^1]);
            }

            await mutex.LockAsync();
            condition.Broadcast();
            mutex.Unlock();
            await Fiber.AwaitAllAsync(ps);
        }, TestKit.Fifo with { Trace = trace.Add }); // FIFO: the woken waiters retake the mutex in the order they were woken

        Assert.That(allParked, Is.True);
        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(heldAfterWait, Is.EqualTo(new[] { true, true, true, true }));
    }

    // ------------------------------------------------------------------ FiberLazy

    [Test]
    public void A_lazy_value_that_forces_itself_throws_and_keeps_that_outcome()
    {
        var computations = 0;
        Exception? first = null, second = null;
        Fiber.Run(async () =>
        {
            FiberLazy<int>? lazy = null;
            lazy = FiberLazy<int>.FromFiber(async () =>
            {
                computations++;
                return await lazy!.ForceAsync() + 1;
            });
            first = await TestKit.CatchAsync<InvalidOperationException>(async () => await lazy.ForceAsync());
            second = await TestKit.CatchAsync<InvalidOperationException>(async () => await lazy.ForceAsync());
        });

        Assert.That(first, Is.Not.Null);
        Assert.That(first!.Message, Does.Contain("forced a lazy value from its own computation"));
        Assert.That(second, Is.SameAs(first), "the failure is the lazy value's outcome");
        Assert.That(computations, Is.EqualTo(1));
    }

    [Test]
    public void A_forcer_cancelled_mid_computation_lets_another_forcer_compute()
    {
        var attempts = new List<string>();
        var value = 0;
        Fiber.Run(async () =>
        {
            var firstStarted = new Trigger();
            FiberLazy<int> lazy = FiberLazy<int>.FromFiber(async () =>
            {
                var attempt = attempts.Count;
                attempts.Add($"attempt {attempt}");
                if (attempt == 0)
                {
                    firstStarted.Signal();
                    await TestKit.ParkForever(); // the first forcer never finishes: it is cancelled
                }

                return 42;
            });
            var first = await Fiber.SpawnAsync(async () => await lazy.ForceAsync());
            await firstStarted.AwaitAsync();
            var second = await Fiber.SpawnAsync(async () => await lazy.ForceAsync());
            await TestKit.Yields(5); // the second forcer parks behind the first
            Assert.That(attempts, Has.Count.EqualTo(1));
            await Fiber.CancelAsync(first);
            value = await Fiber.AwaitAsync(second);
            Assert.That(await lazy.ForceAsync(), Is.EqualTo(42));
        });

        Assert.That(attempts, Is.EqualTo(new[] { "attempt 0", "attempt 1" }));
        Assert.That(value, Is.EqualTo(42));
    }

    [Test]
    public void A_lazy_value_is_computed_once_for_concurrent_forcers()
    {
        var computations = 0;
        int[] values = [];
        Fiber.Run(async () =>
        {
            var lazy = FiberLazy<int>.FromFiber(async () =>
            {
                computations++;
                await TestKit.Yields(3);
                return 9;
            });
            var ps = new List<Promise<int>>();
            for (var i = 0; i < 5; i++)
            {
                ps.Add(await Fiber.SpawnAsync(async () => await lazy.ForceAsync()));
            }

            values = (await Fiber.AwaitAllAsync(ps)).Select(r => r.Value).ToArray();
        });

        Assert.That(computations, Is.EqualTo(1));
        Assert.That(values, Is.EqualTo(new[] { 9, 9, 9, 9, 9 }));
    }

    // ------------------------------------------------------------------ Trigger

    [Test]
    public void Trigger_OnSignal_twice_throws_and_the_action_runs_once()
    {
        var runs = 0;
        var trigger = new Trigger();
        Assert.That(trigger.IsInitial, Is.True);
        Assert.That(trigger.OnSignal(_ => runs++), Is.True);
        Assert.That(trigger.IsInitial, Is.False);
        var e = Assert.Throws<InvalidOperationException>(() => trigger.OnSignal(_ => runs += 100))!;
        Assert.That(e.Message, Does.Contain("already awaiting"));

        trigger.Signal();
        trigger.Signal(); // idempotent
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(trigger.IsSignalled, Is.True);
        Assert.That(trigger.OnSignal(_ => runs += 10), Is.False, "attaching to a signalled trigger does nothing");
        Assert.That(runs, Is.EqualTo(1));
    }

    [Test]
    public void Awaiting_a_trigger_that_has_an_action_throws_in_the_task()
    {
        Exception? error = null;
        Fiber.Run(async () =>
        {
            var trigger = new Trigger();
            trigger.OnSignal(_ => { });
            error = await TestKit.CatchAsync<InvalidOperationException>(async () => await trigger.AwaitAsync());
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain("already awaiting"));
    }

    [Test]
    public void A_trigger_signalled_from_a_foreign_thread_resumes_the_task_on_its_own_domain()
    {
        int runThread = -1, resumedOn = -2;
        using var parked = new ManualResetEventSlim();
        var trigger = new Trigger();
        var signaller = new Thread(() =>
        {
            parked.Wait(); // until the root is parked on the trigger: the wake-up must cross threads
            trigger.Signal();
        });
        signaller.Start();
        Fiber.Run(async () =>
        {
            runThread = Environment.CurrentManagedThreadId;
            await trigger.AwaitAsync(); // dom0 has nothing else to do: it sleeps until the signal arrives
            resumedOn = Environment.CurrentManagedThreadId;
        }, new RunOptions { Domains = 0, Trace = e => { if (e.Kind == TraceKind.Await) parked.Set(); } });
        signaller.Join();

        Assert.That(resumedOn, Is.EqualTo(runThread));
    }

    // ------------------------------------------------------------------ Computation

    [Test]
    public void Computation_first_writer_wins()
    {
        var c = new Computation<int>();
        Assert.That(c.IsRunning, Is.True);
        Assert.That(c.Peek(), Is.Null);
        Assert.That(c.TryReturn(1), Is.True);
        Assert.That(c.TryReturn(2), Is.False);
        Assert.That(c.TryCancel(new FormatException()), Is.False);
        Assert.That(c.TryCapture(() => 3), Is.False);
        Assert.That(c.IsRunning, Is.False);
        Assert.That(c.Peek()!.Value.Value, Is.EqualTo(1));
        Assert.DoesNotThrow(c.ThrowIfErrored);
    }

    [Test]
    public void Computation_TryCapture_keeps_the_exception_inside()
    {
        var c = new Computation<int>();
        Assert.That(c.TryCapture(() => throw new FormatException("captured")), Is.True);
        Assert.That(c.Peek()!.Value.Error, Is.TypeOf<FormatException>());
        Assert.Throws<FormatException>(c.ThrowIfErrored);
    }

    [Test]
    public void Computation_attach_and_detach()
    {
        var c = new Computation<int>();
        var attached = new Trigger();
        var detached = new Trigger();
        var alreadySignalled = new Trigger();
        alreadySignalled.Signal();

        Assert.That(c.TryAttach(attached), Is.True);
        Assert.That(c.TryAttach(detached), Is.True);
        Assert.That(c.TryAttach(alreadySignalled), Is.False);
        c.Detach(detached);
        Assert.That(detached.IsSignalled, Is.True, "detaching signals the trigger");
        Assert.That(attached.IsSignalled, Is.False);

        c.TryReturn(5);
        Assert.That(attached.IsSignalled, Is.True, "completing signals what is attached");
        Assert.That(c.TryAttach(new Trigger()), Is.False, "nothing attaches to a completed computation");
    }

    [Test]
    public void Tasks_awaiting_a_computation_are_resumed_by_the_task_that_completes_it_and_a_cancelled_one_leaves()
    {
        var results = new List<string>();
        Fiber.Run(async () =>
        {
            var c = new Computation<int>();
            var waiters = new List<Promise>();
            for (var i = 0; i < 3; i++)
            {
                var n = i;
                waiters.Add(await Fiber.SpawnAsync(async () => results.Add($"{n}: {await c.AwaitValueAsync()}")));
            }

            var quitter = await Fiber.SpawnAsync(async () => results.Add($"quitter: {await c.AwaitValueAsync()}"));
            await TestKit.Yields(5);
            await Fiber.CancelAsync(quitter);
            var completer = await Fiber.SpawnAsync(async () => { c.TryReturn(8); });
            await Fiber.AwaitAllAsync(waiters);
            await Fiber.AwaitAsync(completer);
        }, TestKit.Fifo);

        Assert.That(results, Is.EquivalentTo(new[] { "0: 8", "1: 8", "2: 8" }));
    }
}
