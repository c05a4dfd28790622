namespace Miou.Tests.Support;

/// <summary>
/// Run options and seed loops shared by the ported cases. The runtime picks the next runnable task at random by default
/// (DESIGN.md), so a case that does not pin the FIFO order runs under a fixed range of seeds: the failure message names
/// the seed, and <c>RunOptions.Seed</c> (or <c>MIOU_SEED</c>) replays that exact interleaving.
/// </summary>
public static class Runs
{
    /// <summary>Seeds per case for cases whose outcome must not depend on the interleaving.</summary>
    public const int DefaultSeeds = 16;

    /// <summary>
    /// The default options of these cases: no worker domain. The ported cases need none (the original runs them with
    /// <c>MIOU_DOMAINS=3</c>, but only the N cases use the workers), and pinning the count keeps them independent of the
    /// machine's core count. One scheduling point per slot, as in the original, whatever <c>MIOU_QUANTA</c> says: the
    /// exact orders and the tick bounds depend on it.
    /// </summary>
    public static RunOptions NoWorkers { get; } = new() { Domains = 0, Quanta = 1 };

    /// <summary>
    /// The reference order of the original (spec §8), without worker domains: for cases tagged O. The seed is fixed too,
    /// so the random choices that remain (which of several finished children <c>AwaitFirst</c> returns) replay as well.
    /// </summary>
    public static RunOptions Fifo { get; } = NoWorkers with { Policy = SchedulingPolicy.Fifo, Seed = 1 };

    /// <summary>The random policy with a given seed, without worker domains.</summary>
    public static RunOptions Seeded(ulong seed) => NoWorkers with { Seed = seed };

    /// <summary>
    /// Runs <paramref name="body"/> for seeds 1..<paramref name="count"/>. A failure is rethrown as an assertion failure
    /// whose message starts with the seed.
    /// </summary>
    public static void ForSeeds(Action<ulong> body, int count = DefaultSeeds)
    {
        for (var seed = 1UL; seed <= (ulong)count; seed++)
        {
            try
            {
                body(seed);
            }
            catch (Exception e)
            {
                throw new AssertionException($"[seed {seed}] {e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// For cases tagged R: runs <paramref name="run"/> for seeds 1..<paramref name="count"/> (any failure names its seed),
    /// and asserts that every outcome of <paramref name="allowed"/> occurred and no other. The message lists the outcome of
    /// every seed.
    /// </summary>
    public static void AssertEveryOutcome<T>(Func<ulong, T> run, IReadOnlyCollection<T> allowed, int count = 64)
        where T : notnull
    {
        var outcomes = new Dictionary<ulong, T>();
        ForSeeds(seed => outcomes[seed] = run(seed), count);
        var table = string.Join(", ", outcomes.Select(kv => $"seed {kv.Key}: {kv.Value}"));
        foreach (var (seed, outcome) in outcomes)
        {
            Assert.That(allowed, Does.Contain(outcome), $"[seed {seed}] outcome {outcome} is not allowed. All: {table}");
        }

        foreach (var outcome in allowed)
        {
            Assert.That(outcomes.Values, Does.Contain(outcome), $"outcome {outcome} never occurred over seeds 1..{count}. All: {table}");
        }
    }
}
