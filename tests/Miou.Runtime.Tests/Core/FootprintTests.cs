using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou.Tests.Core;

/// <summary>
/// The bytes every task pays (issue 2: at most 160 bytes per suspended fiber), and the bit widths the packed promise
/// state relies on. A field added to Promise or to a frame shows up here first.
/// </summary>
public class FootprintTests
{
    [Test]
    public void A_promise_of_a_void_task_is_64_bytes_and_of_a_value_task_72()
    {
        // One cache line for a void child: what few tasks need (children, resources) is out of line.
        Assert.That(InstanceBytes(typeof(Promise)), Is.EqualTo(64));
        Assert.That(InstanceBytes(typeof(Promise<Unit>)), Is.EqualTo(64));
        Assert.That(InstanceBytes(typeof(Promise<int>)), Is.EqualTo(72));
        Assert.That(InstanceBytes(typeof(Promise<object>)), Is.EqualTo(72));
    }

    [Test]
    public void Spawn_sites_are_shared_by_the_tasks_spawned_at_the_same_place()
    {
        var cache = new SpawnSiteCache();
        const string file = "/src/Program.cs";
        var first = cache.Intern(file, 12);
        Assert.That(cache.Intern(file, 12), Is.SameAs(first));
        Assert.That(cache.Intern(file, 13), Is.Not.SameAs(first));
        Assert.That(first.ToString(), Is.EqualTo("Program.cs:12"));

        var promises = new List<Promise>();
        Fiber.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                promises.Add(await Fiber.SpawnAsync(async () => { }));
            }

            foreach (var p in promises)
            {
                await Fiber.AwaitAsync(p);
            }
        }, new RunOptions { Domains = 0 });
        Assert.That(promises.Select(p => p.SpawnSite).Distinct().Single(), Does.Match(@"^FootprintTests\.cs:\d+$"));
    }

    [Test]
    public void A_void_frame_keeps_no_value_and_a_value_frame_keeps_one()
    {
        // A state machine of 8 bytes: header 16 + the link 8 + the state machine.
        Assert.That(InstanceBytes(typeof(VoidFiberBox<EightByteStateMachine>)), Is.EqualTo(32));
        Assert.That(InstanceBytes(typeof(FiberBox<long, EightByteStateMachine>)), Is.EqualTo(40));
    }

    [Test]
    public void The_packed_state_has_room_for_every_operation_kind_and_execution_state()
    {
        Assert.That(Enum.GetValues<OpKind>().Max(k => (int)k), Is.LessThanOrEqualTo(Promise.MaxOpKind));
        Assert.That(Enum.GetValues<Promise.Exec>().Max(e => (int)e), Is.LessThanOrEqualTo(7));
        // OpPhase's five bits are checked by a Debug.Assert in its setter, which every test run (Debug) exercises.
    }

    [Test]
    public void Packed_flags_do_not_disturb_each_other()
    {
        Promise? child = null;
        Fiber.Run(async () =>
        {
            child = await Fiber.SpawnAsync(async () => { await Fiber.YieldAsync(); return 1; });
            Assert.That(child.Linked, Is.True);
            Assert.That(child.Consumed, Is.False);
            child.WatchedByParent = true;
            Assert.That((child.Linked, child.Consumed, child.CancelledByParent, child.WatchedByParent), Is.EqualTo((true, false, false, true)));
            child.WatchedByParent = false;
            await Fiber.AwaitAsync((Promise<int>)child);
        }, new RunOptions { Domains = 0 });

        Assert.That(child!.State, Is.EqualTo(PromiseState.Finished));
        Assert.That((child.BodyDone, child.TornDown, child.CancelRequested, child.Op, child.OpPhase, child.ExecState),
            Is.EqualTo((true, true, false, OpKind.None, (byte)0, Promise.Exec.Done)));
    }

    private static long InstanceBytes(Type type)
    {
        const int count = 1000;
        RuntimeHelpers.GetUninitializedObject(type); // warm up: the first allocation may allocate type data
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            RuntimeHelpers.GetUninitializedObject(type);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / count;
    }

    private struct EightByteStateMachine : IAsyncStateMachine
    {
#pragma warning disable CS0169 // the field is there for its size
        private long _state;
#pragma warning restore CS0169

        public readonly void MoveNext()
        {
        }

        public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
        {
        }
    }
}
