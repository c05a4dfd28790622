using Miou.Scheduling;
using Miou.Tests.Support;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A slot stores its task as the domain's running task only before code that may ask for it runs (the task's own code,
/// an operation answered by its target, a cancelled body's failure); a slot that only answers a point of a yield or a
/// spawn stores nothing. What user code sees must not change: its own task, in its body and in a syscall's registration
/// callback (run by the syscall's answer, in a slot of its own after a sibling's turns), under FIFO and under seeds.
/// </summary>
public class RunningTaskTests
{
    [Test]
    public void A_registration_callback_runs_with_its_task_current_under_FIFO() => AssertCurrentInCallback(Runs.Fifo);

    [Test]
    public void A_registration_callback_runs_with_its_task_current_under_seeds() =>
        Runs.ForSeeds(seed => AssertCurrentInCallback(Runs.Seeded(seed)), 8);

    private static void AssertCurrentInCallback(RunOptions options)
    {
        var events = new OneSignal();
        Promise? me = null, inBody = null, inCallback = null;
        Fiber.Run(async () =>
        {
            me = DomainScheduler.CurrentTask;
            var sibling = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.YieldAsync();
                await Fiber.YieldAsync();
            });
            var child = await Fiber.SpawnAsync(async () => { });
            inBody = DomainScheduler.CurrentTask;
            var s = await Fiber.SyscallAsync("s");
            events.Pending = s;
            await Fiber.SuspendAsync(s, () => inCallback = DomainScheduler.CurrentTask);
            await Fiber.AwaitAsync(child);
            await Fiber.AwaitAsync(sibling);
        }, options with { Events = _ => events });

        Assert.That(me, Is.Not.Null);
        Assert.That((inBody, inCallback), Is.EqualTo((me, me)));
    }
}
