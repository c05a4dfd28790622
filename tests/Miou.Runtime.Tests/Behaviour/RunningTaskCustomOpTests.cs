using Miou.Scheduling;
using Miou.Tests.Support;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A mutex's and a condition's answers run no code that asks for the current task, so the scheduler stores the task as
/// running only when the answer resumes it (<see cref="SchedulerOp.AnswersWithoutCode"/>), unless a trace consumer is
/// set: what user code and a trace consumer see must not change. The task's body sees itself after every lock and
/// wait; a consumer sees the parking task current at its Await event and the waking task (not the woken one) at a
/// Resume event, under FIFO and under seeds.
/// </summary>
public class RunningTaskCustomOpTests
{
    [Test]
    public void A_hand_off_sees_its_own_task_after_every_lock_and_wait_under_FIFO() => AssertHandOff(Runs.Fifo, traced: false);

    [Test]
    public void A_hand_off_sees_its_own_task_after_every_lock_and_wait_under_seeds() =>
        Runs.ForSeeds(seed => AssertHandOff(Runs.Seeded(seed), traced: false), 8);

    [Test]
    public void A_trace_consumer_sees_the_parking_and_the_waking_task_current_under_FIFO() => AssertHandOff(Runs.Fifo, traced: true);

    [Test]
    public void A_trace_consumer_sees_the_parking_and_the_waking_task_current_under_seeds() =>
        Runs.ForSeeds(seed => AssertHandOff(Runs.Seeded(seed), traced: true), 8);

    private static void AssertHandOff(RunOptions options, bool traced)
    {
        var wrong = new List<string>();
        var sides = new HashSet<int>(); // the root's own awaits are answered elsewhere (in its awaiter): only the sides' events
        var awaits = 0;
        var resumes = 0;
        void Consume(TraceEvent e)
        {
            var current = DomainScheduler.CurrentTask?.Id;
            if (!sides.Contains(e.PromiseId))
            {
                return;
            }

            if (e.Kind == TraceKind.Await)
            {
                awaits++;
                if (current != e.PromiseId)
                {
                    wrong.Add($"Await of #{e.PromiseId} with #{current} current");
                }
            }
            else if (e.Kind == TraceKind.Resume)
            {
                resumes++;
                if (current is null || current == e.PromiseId)
                {
                    wrong.Add($"Resume of #{e.PromiseId} with #{current} current");
                }
            }
        }

        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();
            var turned = new FiberCondition();
            var turn = 0;
            async Fiber Side(int me)
            {
                var self = DomainScheduler.CurrentTask;
                sides.Add(self!.Id); // before any of its events
                for (var i = 0; i < 5; i++)
                {
                    await mutex.LockAsync();
                    Check(self);
                    while (turn != me)
                    {
                        await turned.WaitAsync(mutex);
                        Check(self);
                    }

                    turn = 1 - me;
                    turned.Signal();
                    mutex.Unlock();
                }
            }

            void Check(Promise? self)
            {
                if (!ReferenceEquals(DomainScheduler.CurrentTask, self))
                {
                    wrong.Add($"#{self?.Id} resumed with #{DomainScheduler.CurrentTask?.Id} current");
                }
            }

            var a = await Fiber.SpawnAsync(() => Side(0));
            var b = await Fiber.SpawnAsync(() => Side(1));
            await Fiber.AwaitAsync(a);
            await Fiber.AwaitAsync(b);
        }, traced ? options with { Trace = Consume } : options);

        Assert.That(wrong, Is.Empty);
        if (traced)
        {
            Assert.That((awaits > 0, resumes > 0), Is.EqualTo((true, true)), "the hand-off parked and woke its sides");
        }
    }
}
