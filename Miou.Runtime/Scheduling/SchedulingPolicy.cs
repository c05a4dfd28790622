namespace Miou;

/// <summary>How a domain picks the next runnable task.</summary>
public enum SchedulingPolicy
{
    /// <summary>
    /// Uniformly at random among the runnable tasks, from the run's seeded generator (the default): it widens what tests
    /// exercise and is harder to predict. The seed replays the same interleaving.
    /// </summary>
    Random,

    /// <summary>First in, first out: the reference order of the original Miou (spec §8), for tests of exact output.</summary>
    Fifo,
}
