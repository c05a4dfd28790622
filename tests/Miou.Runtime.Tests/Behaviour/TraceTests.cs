namespace Miou.Tests.Behaviour;

/// <summary>RunOptions.Trace receives the run's events with the right promise ids (spec §6.8).</summary>
public class TraceTests
{
    private static readonly TraceKind[] Watched =
        [TraceKind.Spawn, TraceKind.Await, TraceKind.Resume, TraceKind.Cancel, TraceKind.Cancelled, TraceKind.Suspend, TraceKind.Continue];

    /// <summary>Whether <paramref name="expected"/> occurs in <paramref name="events"/> in this order (other events may come between).</summary>
    private static bool InOrder(IReadOnlyList<TraceEvent> events, IReadOnlyList<TraceEvent> expected)
    {
        var next = 0;
        foreach (var e in events)
        {
            if (next < expected.Count && e == expected[next])
            {
                next++;
            }
        }

        return next == expected.Count;
    }

    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(2UL)]
    public void Spawn_await_resume_cancel_suspend_and_continue_events_name_the_right_promises(ulong seed)
    {
        var trace = new List<TraceEvent>();
        var events = new ScriptedEvents();
        int a = 0, b = 0, syscall = 0;
        string siteA = "", siteB = "";
        Fiber.Run(async () =>
        {
            siteA = TestKit.Here(); var pa = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 1000 && !trace.Any(e => e.Kind == TraceKind.Await && e.PromiseId == 1); i++)
                {
                    await Fiber.YieldAsync(); // until the root is parked awaiting this task
                }

                return 1;
            });
            var started = new Trigger();
            siteB = TestKit.Here(); var pb = await Fiber.SpawnAsync(async () => { started.Signal(); await TestKit.ParkForever(); });
            (a, b) = (pa.Id, pb.Id);
            await Fiber.AwaitAsync(pa); // parks: a waits for that
            await started.AwaitAsync();
            while (!trace.Any(e => e.Kind == TraceKind.Await && e.PromiseId == b))
            {
                await Fiber.YieldAsync();
            }

            await Fiber.CancelAsync(pb);
            var s = await Fiber.SyscallAsync("tick");
            syscall = s.Id;
            await Fiber.SuspendAsync(s, () => events.Ready(s, skippedSelects: 1)); // parks for one select, then resumes
        }, new RunOptions { Seed = seed, Domains = 0, Trace = trace.Add, Events = _ => events });

        var watched = trace.Where(e => Watched.Contains(e.Kind)).ToList();
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, watched));
        var expected = new List<TraceEvent>
        {
            new(TraceKind.Spawn, a, 1, 0, siteA),
            new(TraceKind.Spawn, b, 1, 0, siteB),
            new(TraceKind.Await, 1, a, 0, null),
            new(TraceKind.Resume, 1, 0, 0, null),
            new(TraceKind.Cancel, 1, b, 0, null),
            new(TraceKind.Cancelled, b, 0, 0, null),
            new(TraceKind.Suspend, 1, syscall, 0, "tick"),
            new(TraceKind.Await, 1, 0, 0, null),
            new(TraceKind.Resume, 1, 0, 0, null),
            new(TraceKind.Continue, 1, syscall, 0, "tick"),
        };
        Assert.That(InOrder(watched, expected), Is.True, "expected, in this order:" + Environment.NewLine + string.Join(Environment.NewLine, expected));
        Assert.That(InOrder(watched, [new(TraceKind.Await, b, 0, 0, null), new(TraceKind.Cancel, 1, b, 0, null)]), Is.True, "b parked before it was cancelled");
        Assert.That(watched.Count(e => e.Kind == TraceKind.Spawn), Is.EqualTo(2), "one Spawn per child");
        Assert.That(watched.Count(e => e.Kind == TraceKind.Cancelled), Is.EqualTo(1), "b is cancelled once");
    }

    [Test]
    public void Await_first_reports_the_parked_task_and_cancel_reports_each_loser()
    {
        var trace = new List<TraceEvent>();
        int[] ids = [];
        Fiber.Run(async () =>
        {
            var winner = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 1000 && !trace.Any(e => e.Kind == TraceKind.Await && e.PromiseId == 1); i++)
                {
                    await Fiber.YieldAsync(); // until the root is parked in its await-first
                }

                return 1;
            });
            var loser1 = await Fiber.SpawnAsync(async () => { await TestKit.YieldForever(); return 2; });
            var loser2 = await Fiber.SpawnAsync(async () => { await TestKit.ParkForever(); return 3; });
            ids = [winner.Id, loser1.Id, loser2.Id];
            await Fiber.AwaitFirstAsync(winner, loser1, loser2);
        }, TestKit.Fifo with { Domains = 0, Trace = trace.Add });

        Assert.That(trace, Has.Some.EqualTo(new TraceEvent(TraceKind.Await, 1, ids[0], 0, null)));
        Assert.That(trace.Where(e => e.Kind == TraceKind.Cancel).Select(e => (e.PromiseId, e.Other)).Distinct(), Is.EqualTo(new[] { (1, ids[1]), (1, ids[2]) }));
        Assert.That(trace.Where(e => e.Kind == TraceKind.Cancelled).Select(e => e.PromiseId), Is.EquivalentTo(new[] { ids[1], ids[2] }));
    }

    [Test]
    public void Rule_breaks_are_traced_before_they_are_thrown()
    {
        var trace = new List<TraceEvent>();
        int sibling = 0, offender = 0;
        Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(async () => { });
            sibling = a.Id;
            var b = await Fiber.SpawnAsync(async () => await Fiber.AwaitAsync(a));
            offender = b.Id;
            await Fiber.AwaitResultAsync(b);
        }, new RunOptions { Domains = 0, Trace = trace.Add }));

        Assert.That(trace, Has.Some.EqualTo(new TraceEvent(TraceKind.NotAChild, offender, sibling, 0, null)));
        Assert.That(trace, Has.Some.Matches<TraceEvent>(e => e.Kind == TraceKind.StillHasChildren && e.PromiseId == 1));
    }
}
