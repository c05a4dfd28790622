namespace Miou.Tests.Behaviour;

/// <summary>The Random policy replays the same interleaving from the same seed, and a failing run reports its seed.</summary>
public class SeedReplayTests
{
    /// <summary>
    /// A program whose output order is its interleaving: 24 tasks that log, yield, spawn and await grandchildren, and
    /// race in an await-first. Returns the log and the trace of the run.
    /// </summary>
    internal static (List<string> Log, List<TraceEvent> Trace) Interleaving(RunOptions options)
    {
        var log = new List<string>();
        var trace = new List<TraceEvent>();
        Fiber.Run(async () =>
        {
            var children = new List<Promise<int>>();
            for (var i = 0; i < 24; i++)
            {
                var n = i;
                children.Add(await Fiber.SpawnAsync(async () =>
                {
                    log.Add($"{n} start");
                    for (var step = 0; step < n % 4; step++)
                    {
                        await Fiber.YieldAsync();
                        log.Add($"{n} step {step}");
                    }

                    var grandchild = await Fiber.SpawnAsync(async () =>
                    {
                        log.Add($"{n}.g");
                        return n;
                    });
                    return await Fiber.AwaitAsync(grandchild);
                }));
            }

            var racers = new[]
            {
                await Fiber.SpawnAsync(async () => { await TestKit.Yields(2); return 100; }),
                await Fiber.SpawnAsync(async () => { await TestKit.Yields(2); return 200; }),
            };
            log.Add($"race {(await Fiber.AwaitFirstAsync(racers)).Value}");
            foreach (var result in await Fiber.AwaitAllAsync(children))
            {
                log.Add($"result {result.Value}");
            }
        }, options with { Trace = trace.Add });
        return (log, trace);
    }

    private static RunOptions Seeded(ulong seed) => new() { Seed = seed, Policy = SchedulingPolicy.Random };

    [TestCase(1UL)]
    [TestCase(42UL)]
    [TestCase(0xDEADBEEFUL)]
    [TestCase(ulong.MaxValue)]
    public void The_same_seed_replays_the_same_interleaving(ulong seed)
    {
        var first = Interleaving(Seeded(seed));
        var second = Interleaving(Seeded(seed));

        Assert.That(second.Log, Is.EqualTo(first.Log), $"seed {seed}: the log differs between two runs");
        Assert.That(second.Trace, Is.EqualTo(first.Trace), $"seed {seed}: the trace differs between two runs");
        Assert.That(first.Log, Has.Count.EqualTo(24 + 36 + 24 + 1 + 24)); // starts, steps, grandchildren, race, results
    }

    [Test]
    public void Different_seeds_give_different_interleavings()
    {
        var logs = Enumerable.Range(1, 20).Select(seed => string.Join("|", Interleaving(Seeded((ulong)seed)).Log)).ToList();
        Assert.That(logs.Distinct().Count(), Is.GreaterThanOrEqualTo(2), "20 seeds all gave the same interleaving");
    }

    [Test]
    public void Fifo_task_order_ignores_the_seed_but_await_first_still_draws_its_winner_from_it()
    {
        // Under FIFO the order of the tasks is fixed; the only seeded choice left is await-first's pick among promises
        // that had both finished (spec §1.8), so the "race" line is the only one that may change.
        var fifo = new RunOptions { Policy = SchedulingPolicy.Fifo };
        static List<string> WithoutRace(List<string> log) => log.Where(line => !line.StartsWith("race", StringComparison.Ordinal)).ToList();
        var reference = WithoutRace(Interleaving(fifo with { Seed = 1 }).Log);
        var winners = new HashSet<string>();
        for (var seed = 1UL; seed <= 20; seed++)
        {
            var log = Interleaving(fifo with { Seed = seed }).Log;
            Assert.That(WithoutRace(log), Is.EqualTo(reference), $"seed {seed}");
            winners.Add(log.Single(line => line.StartsWith("race", StringComparison.Ordinal)));
        }

        Assert.That(winners, Is.EquivalentTo(new[] { "race 100", "race 200" }));
    }

    [Test]
    public void A_Miou_exception_escaping_Run_names_the_seed_in_its_message()
    {
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            await Fiber.SpawnAsync(async () => { });
        }, Seeded(1234)))!;

        Assert.That(e.Seed, Is.EqualTo(1234UL));
        Assert.That(e.Message, Does.Contain("Miou seed 1234").And.Contain("MIOU_SEED=1234"));
        Assert.That(e.Data["Miou.Seed"], Is.EqualTo(1234UL));
    }

    [Test]
    public void Any_exception_escaping_Run_carries_the_seed_in_its_Data()
    {
        var fromRoot = Assert.Throws<FormatException>(() => Fiber.Run(async () =>
        {
            await Fiber.YieldAsync();
            throw new FormatException("root");
        }, Seeded(77)))!;
        Assert.That(fromRoot.Data["Miou.Seed"], Is.EqualTo(77UL));
        Assert.That(fromRoot.Message, Is.EqualTo("root"), "a user exception's message is left alone");

        var fromChild = Assert.Throws<FormatException>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => { throw new FormatException("child"); });
            await Fiber.AwaitAsync(p);
        }, Seeded(78)))!;
        Assert.That(fromChild.Data["Miou.Seed"], Is.EqualTo(78UL));
    }

    [Test]
    public void The_seed_reported_by_a_failing_unseeded_run_replays_it()
    {
        List<string>? log = null;
        ulong? reported = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            // No seed given: the run picks one, and reports it with the failure.
            var options = reported is { } seed ? Seeded(seed) : new RunOptions { Policy = SchedulingPolicy.Random };
            var thisLog = new List<string>();
            var e = Assert.Throws<InvalidOperationException>(() => Fiber.Run(async () =>
            {
                var ps = new List<Promise>();
                for (var i = 0; i < 10; i++)
                {
                    var n = i;
                    ps.Add(await Fiber.SpawnAsync(async () =>
                    {
                        await TestKit.Yields(n % 3);
                        thisLog.Add($"{n}");
                    }));
                }

                await Fiber.AwaitAllAsync(ps);
                throw new InvalidOperationException("fails after the interleaving");
            }, options))!;

            if (attempt == 0)
            {
                reported = (ulong)e.Data["Miou.Seed"]!;
                log = thisLog;
            }
            else
            {
                Assert.That(thisLog, Is.EqualTo(log), $"replaying seed {reported}");
            }
        }
    }
}
