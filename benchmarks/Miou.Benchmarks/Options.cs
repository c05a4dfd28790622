namespace Miou.Benchmarks;

/// <summary>
/// The two run configurations every Miou benchmark is measured under. Quanta is 1 (every operation yields, Miou's
/// semantics and the runtime's default) and is set explicitly so that a MIOU_QUANTA in the environment cannot change
/// what is measured; the random policy gets a fixed seed so that runs are comparable with each other.
/// </summary>
internal static class Options
{
    internal static readonly RunOptions Fifo = new() { Policy = SchedulingPolicy.Fifo, Quanta = 1 };

    internal static readonly RunOptions Random = new() { Policy = SchedulingPolicy.Random, Quanta = 1, Seed = 42 };
}
