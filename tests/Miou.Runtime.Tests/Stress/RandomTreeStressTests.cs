using System.Diagnostics;
using Miou.Tests.Behaviour;

namespace Miou.Tests.Stress;

/// <summary>
/// 100,000 tasks per run in random trees (random fan-out and depth, parents that cancel children at random, tasks that
/// fail at random, tasks that park or yield until cancelled), under 20 seeds. Every task that started runs its
/// <c>finally</c> exactly once, and every resource a task owned is finalised exactly once: by the runtime when its owner
/// failed or was cancelled, or by the owner itself (<c>Ownership.Release</c>) when it returned.
/// The seeds run in parallel with each other: each run is independent (this also checks that concurrent runs on
/// different threads do not interfere). Measured on the 2-core box in Debug: 1.0–2.0 s of CPU per seed, about 30 s of
/// CPU for the 20 seeds, so about 15 s of wall time on both cores when the machine is otherwise idle.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class RandomTreeStressTests
{
    private const int TasksPerRun = 100_000;
    private const int MaxDepth = 40;

    private static readonly ulong[] Seeds =
    [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        0xC0FFEE, 0xBADC0DE, 0xDEADBEEF, 12345, 271828, 314159, 999_999_937, ulong.MaxValue, 0x9E3779B97F4A7C15, 2026,
    ];

    /// <summary>A seedable generator per tree node, so a tree's shape depends only on the seed (SplitMix64).</summary>
    private struct Rng(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Below(int n) => (int)(Next() % (ulong)n);

        public bool Percent(int p) => Below(100) < p;
    }

    /// <summary>What a parent decided about a child before spawning it.</summary>
    private sealed record Plan(ulong Key, int Budget, int Depth, bool Forever, bool FailsEarly, bool FailsLate)
    {
        public bool Fails => FailsEarly || FailsLate;

        public int Value => (int)(Key % 1000);
    }

    /// <summary>What one started task did, checked after the run.</summary>
    private sealed class Record
    {
        public int Finally;
        public bool Owned;
        public int Finalised;
        public bool ReleasedItself;
        public bool Returned;
    }

    private sealed class Boom(ulong key) : Exception($"node {key:x} fails on purpose")
    {
        public ulong Key { get; } = key;
    }

    private sealed class RunState
    {
        public readonly List<Record> Records = new(TasksPerRun);
        public readonly List<string> Mismatches = [];
        public int Spawned;
        public int Cancels;
        public int Failures;
    }

    private static Plan[] ChildPlans(Plan plan, ref Rng rng)
    {
        if (plan.Budget == 0 || plan.Depth >= MaxDepth)
        {
            return [];
        }

        var fanOut = 1 + rng.Below(Math.Min(plan.Budget, 6));
        var rest = plan.Budget - fanOut;
        var weights = new int[fanOut];
        for (var i = 0; i < fanOut; i++)
        {
            weights[i] = 1 + rng.Below(rng.Percent(20) ? 100 : 10); // now and then one heavy child: deeper trees
        }

        var total = weights.Sum();
        var plans = new Plan[fanOut];
        var given = 0;
        for (var i = 0; i < fanOut; i++)
        {
            var share = i == fanOut - 1 ? rest - given : rest * weights[i] / total;
            given += share;
            var forever = rng.Percent(10);
            var failsEarly = !forever && rng.Percent(4);
            var failsLate = !forever && !failsEarly && rng.Percent(6);
            plans[i] = new Plan(rng.Next(), share, plan.Depth + 1, forever, failsEarly, failsLate);
        }

        return plans;
    }

    private static async Fiber<int> Node(Plan plan, RunState state)
    {
        var record = new Record();
        state.Records.Add(record);
        try
        {
            var rng = new Rng(plan.Key);
            Resource<Record>? resource = null;
            if (rng.Percent(60))
            {
                resource = Ownership.Create(record, r => r.Finalised++);
                await Ownership.OwnAsync(resource);
                record.Owned = true;
            }

            var plans = ChildPlans(plan, ref rng);
            var children = new Promise<int>[plans.Length];
            for (var i = 0; i < plans.Length; i++)
            {
                var childPlan = plans[i];
                children[i] = await Fiber.SpawnAsync(() => Node(childPlan, state));
                state.Spawned++;
                if (rng.Percent(20))
                {
                    await Fiber.YieldAsync();
                }
            }

            if (plan.FailsEarly)
            {
                state.Failures++;
                throw new Boom(plan.Key); // its children are cancelled with it
            }

            var order = new int[plans.Length];
            for (var i = 0; i < order.Length; i++)
            {
                var j = rng.Below(i + 1); // Fisher–Yates, inside out
                order[i] = order[j];
                order[j] = i;
            }

            foreach (var i in order)
            {
                if (plans[i].Forever || rng.Percent(25))
                {
                    state.Cancels++;
                    await Fiber.CancelAsync(children[i]);
                }
                else
                {
                    Check(plans[i], await Fiber.AwaitResultAsync(children[i]), state);
                }
            }

            if (plan.Forever)
            {
                await (rng.Percent(50) ? TestKit.ParkForever() : TestKit.YieldForever());
            }

            if (plan.FailsLate)
            {
                state.Failures++;
                throw new Boom(plan.Key);
            }

            if (resource is not null)
            {
                await Ownership.ReleaseAsync(resource);
                record.ReleasedItself = true;
            }

            record.Returned = true;
            return plan.Value;
        }
        finally
        {
            record.Finally++;
        }
    }

    private static void Check(Plan plan, Result<int> result, RunState state)
    {
        var ok = plan.Fails
            ? result.Error is Boom boom && boom.Key == plan.Key
            : result.IsOk && result.Value == plan.Value;
        if (!ok)
        {
            state.Mismatches.Add($"child {plan.Key:x} (fails: {plan.Fails}) was awaited with {result}");
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> on a thread of its own so that a scheduler that hangs fails this seed instead of the
    /// whole test session. The limit only detects a hang (a run takes well under a second to a few seconds); it is not a
    /// speed assertion.
    /// </summary>
    private static void RunGuarded(ulong seed, Action run)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                run();
            }
            catch (Exception e)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = $"stress seed {seed}" };
        thread.Start();
        if (!thread.Join(TimeSpan.FromMinutes(3)))
        {
            Assert.Fail($"seed {seed}: the run hung (no progress for 3 minutes); replay with RunOptions.Seed = {seed}");
        }

        failure?.Throw();
    }

    [TestCaseSource(nameof(Seeds))]
    public void Every_finally_and_every_finaliser_runs_exactly_once(ulong seed)
    {
        var state = new RunState();
        var clock = Stopwatch.StartNew();
        RunGuarded(seed, () => Fiber.Run(async () =>
        {
            var rng = new Rng(seed);
            while (state.Spawned < TasksPerRun)
            {
                // A wave: one tree of the remaining budget. Cancelled and failed subtrees spawn fewer tasks than planned,
                // so waves go on until the run has spawned its 100,000 tasks.
                var plan = new Plan(rng.Next(), TasksPerRun - state.Spawned - 1, 0, Forever: false, FailsEarly: false, FailsLate: rng.Percent(30));
                var tree = await Fiber.SpawnAsync(() => Node(plan, state));
                state.Spawned++;
                Check(plan, await Fiber.AwaitResultAsync(tree), state);
            }
        }, new RunOptions { Seed = seed, Domains = 0, Quanta = 1 + (int)(seed % 3) }));
        clock.Stop();

        var records = state.Records;
        TestContext.Out.WriteLine(
            $"seed {seed}: {state.Spawned} spawned, {records.Count} started, {state.Cancels} cancels, {state.Failures} failures, " +
            $"{records.Count(r => r.Owned)} resources, {clock.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Multiple(() =>
        {
            Assert.That(state.Spawned, Is.GreaterThanOrEqualTo(TasksPerRun), $"seed {seed}");
            Assert.That(state.Mismatches, Is.Empty, $"seed {seed}: awaited outcomes");
            Assert.That(records.Count(r => r.Finally != 1), Is.Zero, $"seed {seed}: tasks whose finally did not run exactly once");
            Assert.That(records.Count(r => r.Owned && r.Finalised != 1), Is.Zero, $"seed {seed}: owned resources not finalised exactly once");
            Assert.That(records.Count(r => !r.Owned && r.Finalised != 0), Is.Zero, $"seed {seed}: resources finalised though never owned");
            Assert.That(records.Count(r => r.Returned && r.Owned && !r.ReleasedItself), Is.Zero, $"seed {seed}: returned without releasing");
            Assert.That(records.Count(r => !r.Returned), Is.GreaterThan(0), $"seed {seed}: some tasks must have failed or been cancelled");
        });
    }
}
