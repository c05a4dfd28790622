using Miou.Tests.Support;

namespace Miou.Tests.Domains;

/// <summary>
/// Run options and loops for the cases that use worker domains (tag N of miou-tests.md). The original suite runs with
/// <c>MIOU_DOMAINS=3</c>; the cases about running out of domains use 1. Every run is seeded, so a failure names the seed
/// that replays it (<c>RunOptions.Seed</c> or <c>MIOU_SEED</c>).
/// <para>
/// A run with workers starts and joins threads, which costs far more than a run on dom0 alone, so these cases use fewer
/// seeds than <see cref="Runs.DefaultSeeds"/> and, where the original repeats a whole run 101 times to sample random
/// placements, repeat the placement inside each run instead.
/// </para>
/// </summary>
internal static class DomainRuns
{
    /// <summary>Seeds per case whose outcome must not depend on the interleaving.</summary>
    internal const int Seeds = 8;

    /// <summary>Three workers, as the original suite (<c>MIOU_DOMAINS=3</c>).</summary>
    internal static RunOptions Three(ulong seed) => new() { Domains = 3, Seed = seed };

    /// <summary>A single worker: for the cases about running out of domains.</summary>
    internal static RunOptions One(ulong seed) => new() { Domains = 1, Seed = seed };

    /// <summary>Two workers (the issue's "two CPU-bound items on 2 cores").</summary>
    internal static RunOptions Two(ulong seed) => new() { Domains = 2, Seed = seed };

    /// <summary>The reference order of spec §8 with three workers (cases tagged O and N).</summary>
    internal static RunOptions FifoThree { get; } = new() { Domains = 3, Policy = SchedulingPolicy.Fifo, Seed = 1 };

    /// <summary><see cref="Runs.ForSeeds"/> with <see cref="Seeds"/> seeds unless told otherwise.</summary>
    internal static void ForSeeds(Action<ulong> body, int count = Seeds) => Runs.ForSeeds(body, count);

    /// <summary>
    /// For cases tagged R: runs <paramref name="run"/> with seeds 1, 2, … until every outcome of <paramref name="allowed"/>
    /// has occurred, and at least <paramref name="minRuns"/> times. Fails on the first outcome that is not allowed (naming its
    /// seed), and after <paramref name="maxRuns"/> runs if some outcome never occurred (listing every seed tried and its
    /// outcome).
    /// </summary>
    internal static void UntilEveryOutcome<T>(Func<ulong, T> run, IReadOnlyCollection<T> allowed, int maxRuns = 64, int minRuns = 1)
        where T : notnull
    {
        var tried = new List<(ulong Seed, T Outcome)>();
        for (var seed = 1UL; seed <= (ulong)maxRuns; seed++)
        {
            T outcome;
            try
            {
                outcome = run(seed);
            }
            catch (Exception e)
            {
                throw new AssertionException($"[seed {seed}] {e.GetType().Name}: {e.Message}", e);
            }

            Assert.That(allowed, Does.Contain(outcome), $"[seed {seed}] outcome {outcome} is not allowed");
            tried.Add((seed, outcome));
            if (tried.Count >= minRuns && allowed.All(a => tried.Any(t => Equals(t.Outcome, a))))
            {
                return;
            }
        }

        var missing = allowed.Where(a => !tried.Any(t => Equals(t.Outcome, a)));
        Assert.Fail($"outcome(s) {string.Join(", ", missing)} never occurred in {maxRuns} runs: " +
                    string.Join(", ", tried.Select(t => $"seed {t.Seed}: {t.Outcome}")));
    }

    [ThreadStatic]
    private static int t_threadMarker;

    private static int s_threadMarkers;

    /// <summary>A number that identifies the calling thread (set once per thread, never reused).</summary>
    internal static int ThreadMarker() =>
        t_threadMarker != 0 ? t_threadMarker : t_threadMarker = Interlocked.Increment(ref s_threadMarkers);

    /// <summary>
    /// C21's checks on what tasks pinned to each of dom0 and three workers saw: <c>Domain.Self</c> is the pinned domain,
    /// a task stays on one thread across its suspensions, and domains and threads correspond one to one, dom0 being the
    /// thread that called <c>Fiber.Run</c> (<paramref name="caller"/>, a <see cref="ThreadMarker"/>).
    /// </summary>
    internal static void AssertOneThreadPerDomain(IEnumerable<(Domain Expected, Domain Self, int Before, int After)> seen, int caller)
    {
        var observations = seen.ToList();
        foreach (var (expected, self, before, after) in observations)
        {
            Assert.That(self, Is.EqualTo(expected), "Self is the domain the task was pinned to");
            Assert.That(after, Is.EqualTo(before), "a task runs on one thread, before and after its suspensions");
        }

        var threadOf = observations.GroupBy(o => o.Self).ToDictionary(g => g.Key, g => g.Select(o => o.Before).Distinct().ToList());
        Assert.That(threadOf.Keys, Is.EquivalentTo(new[] { Domain.Dom0, new Domain(1), new Domain(2), new Domain(3) }));
        Assert.That(threadOf.Values.Select(threads => threads.Count), Is.All.EqualTo(1), "one thread per domain");
        Assert.That(threadOf.Values.Select(threads => threads[0]).Distinct().Count(), Is.EqualTo(4), "one domain per thread");
        Assert.That(threadOf[Domain.Dom0][0], Is.EqualTo(caller), "dom0 is the thread that called Fiber.Run");
    }
}
