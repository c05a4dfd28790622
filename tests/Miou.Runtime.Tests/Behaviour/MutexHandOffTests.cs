using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// The mutex/condition hand-off (issue 2's benchmark 3) step by step: who holds the turn after how many steps (a hook
/// counts them, one per step), beside a task that yields throughout, under FIFO and under seeded random policies; and the
/// waiter the lock was handed to, cancelled before it resumed or while still queued. The expected figures were measured
/// on main at da6a971, before the mutex answered a handed-over waiter without its gate and kept its waiters in an array
/// of structs: they pin that neither changed a step.
/// </summary>
public class MutexHandOffTests
{
    [Test]
    public void A_ping_pong_through_a_mutex_and_a_condition_keeps_its_steps_under_FIFO() =>
        Assert.That(PingPong(Fifo), Is.EqualTo(ExpectedFifo));

    [TestCase(1UL, ExpectedSeed1)]
    [TestCase(2UL, ExpectedSeed2)]
    [TestCase(3UL, ExpectedSeed3)]
    public void A_ping_pong_through_a_mutex_and_a_condition_replays_its_seed(ulong seed, string expected) =>
        Assert.That(PingPong(Seeded(seed)), Is.EqualTo(expected));

    // Measured on da6a971 (see the class summary): side@step for every turn taken, y@step for every yield of the bystander.
    private const string ExpectedFifo = "a@5 b@11 y@19 a@21 y@22 y@25 y@28 b@29 y@30 y@33 y@36 a@37 y@38 y@41 b@42 y@44 y@46 y@48";
    private const string ExpectedSeed1 = "a@5 b@10 a@16 b@22 y@26 a@28 b@31 y@32 y@33 y@34 y@35 y@36 y@37 y@41 y@42 y@43 y@44 y@45";
    private const string ExpectedSeed2 = "a@6 b@14 y@17 y@18 a@21 b@25 y@26 y@28 y@32 a@33 y@35 y@38 b@40 y@41 y@44 y@45 y@46 y@48";
    private const string ExpectedSeed3 = "a@6 y@15 y@16 b@17 y@21 a@23 y@24 y@25 y@28 y@30 y@31 y@32 b@33 y@34 y@35 a@37 y@38 b@39";

    /// <summary>Two sides take turns 3 times each, as benchmark 3 does, while a bystander yields 12 times.</summary>
    private static string PingPong(RunOptions options)
    {
        var steps = 0;
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var hook = await Hook.AddAsync(() => steps++);
            var mutex = new FiberMutex();
            var turned = new FiberCondition();
            var turn = 0;
            async Fiber Side(int me)
            {
                for (var i = 0; i < 3; i++)
                {
                    await mutex.LockAsync();
                    while (turn != me)
                    {
                        await turned.WaitAsync(mutex);
                    }

                    log.Add($"{(me == 0 ? 'a' : 'b')}@{steps}");
                    turn = 1 - me;
                    turned.Signal();
                    mutex.Unlock();
                }
            }

            var a = await Fiber.SpawnAsync(() => Side(0));
            var b = await Fiber.SpawnAsync(() => Side(1));
            var bystander = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 12; i++)
                {
                    await Fiber.YieldAsync();
                    log.Add($"y@{steps}");
                }
            });
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
            await Fiber.AwaitAsync(bystander);
            await hook.RemoveAsync();
        }, options);
        return string.Join(" ", log);
    }

    [Test]
    public void A_waiter_handed_the_lock_and_cancelled_before_it_resumes_passes_it_on_and_runs_its_finally_once()
    {
        // Quanta 3: the root's unlock hands the lock to the first waiter (queued, not yet resumed), and the root's cancel
        // is answered in the same slot, so the cancellation runs before that waiter's next step.
        var log = new List<string>();
        var trace = new List<TraceEvent>();
        var lockedAfter = true;
        var firstId = 0;
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            await mutex.LockAsync();
            var first = await Fiber.SpawnAsync(() => Waiter(mutex, "first", log));
            var second = await Fiber.SpawnAsync(() => Waiter(mutex, "second", log));
            firstId = first.Id;
            await Fiber.YieldAsync(); // both waiters queue on the mutex
            mutex.Unlock();
            await Fiber.CancelAsync(first);
            await Fiber.AwaitAsync(second);
            lockedAfter = mutex.IsLocked;
        }, Fifo with { Quanta = 3, Trace = trace.Add });

        // The first waiter was woken by the hand-over (Resume) and cancelled before its next step (nothing in between).
        var firstEvents = trace.Where(e => e.PromiseId == firstId).Select(e => e.Kind).ToList();
        Assert.That(firstEvents, Is.EqualTo(new[]
        {
            TraceKind.Spawn, TraceKind.Start, TraceKind.Await, TraceKind.Resume, TraceKind.Cancelled, TraceKind.Done,
        }));
        Assert.That(string.Join(" ", log), Is.EqualTo(ExpectedHandedThenCancelled));
        Assert.That(lockedAfter, Is.False);
    }

    [Test]
    public void A_waiter_cancelled_while_queued_leaves_the_queue_and_the_others_keep_their_order()
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            await mutex.LockAsync();
            var waiters = new List<Promise>();
            foreach (var name in new[] { "w0", "w1", "w2" })
            {
                waiters.Add(await Fiber.SpawnAsync(() => Waiter(mutex, name, log)));
            }

            await Fiber.YieldAsync(); // the three waiters queue on the mutex
            await Fiber.CancelAsync(waiters[1]);
            mutex.Unlock();
            await Fiber.AwaitAsync(waiters[0]);
            await Fiber.AwaitAsync(waiters[2]);
        }, Fifo);

        Assert.That(string.Join(" ", log), Is.EqualTo(ExpectedQueuedThenCancelled));
    }

    private const string ExpectedHandedThenCancelled = "first:cancelled first:finally second:locked second:finally";
    private const string ExpectedQueuedThenCancelled = "w1:cancelled w1:finally w0:locked w0:finally w2:locked w2:finally";

    /// <summary>Locks, logs, unlocks; logs its finally (once per run of the body) and a cancellation.</summary>
    private static async Fiber Waiter(FiberMutex mutex, string name, List<string> log)
    {
        try
        {
            await mutex.LockAsync();
            log.Add($"{name}:locked");
            mutex.Unlock();
        }
        catch (CancelledException)
        {
            log.Add($"{name}:cancelled");
            throw;
        }
        finally
        {
            log.Add($"{name}:finally");
        }
    }
}
