using BenchmarkDotNet.Attributes;

namespace Miou.Benchmarks;

/// <summary>
/// Benchmark 1: spawn and await 1,000,000 trivial children in batches of 1,000. One operation = one child spawned and
/// awaited.
/// </summary>
[MemoryDiagnoser]
public class SpawnAwait
{
    public const int Total = 1_000_000;
    public const int Batch = 1_000;

    private static readonly Func<Fiber> s_child = static async () => { };

    /// <summary>An async method that starts 1,000 <c>Task.Run</c> of a trivial lambda and awaits them, 1,000 times.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public void Tpl_TaskRun() => TplBatches.Run(Total / Batch, Batch).GetAwaiter().GetResult();

    /// <summary>A root fiber that spawns 1,000 children, then awaits each, 1,000 times; FIFO policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Fifo() => Fiber.Run(MiouRoot, Options.Fifo);

    /// <summary>The same under the default random policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Random() => Fiber.Run(MiouRoot, Options.Random);

    private static async Fiber MiouRoot()
    {
        var promises = new Promise[Batch];
        for (var b = 0; b < Total / Batch; b++)
        {
            for (var i = 0; i < Batch; i++)
            {
                promises[i] = await Fiber.SpawnAsync(s_child);
            }

            for (var i = 0; i < Batch; i++)
            {
                await Fiber.AwaitAsync(promises[i]);
            }
        }
    }
}
