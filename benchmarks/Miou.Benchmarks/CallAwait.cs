using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Miou.Benchmarks;

/// <summary>
/// Benchmark 5 (domains): spawn and await a trivial child on another thread. Miou: <c>Fiber.CallAsync</c> from the root
/// on dom0 (the child runs on the worker domain), then <c>Fiber.AwaitAsync</c>; TPL: <c>Task.Run</c> and await. Two
/// shapes, one operation = one child spawned and awaited:
/// <list type="bullet">
/// <item>One at a time (<c>*_OneByOne</c>, 20,000 per invocation): spawn, await, repeat; the round-trip latency of a
/// cross-thread wake-up and back.</item>
/// <item>Batches (<c>*_Batch</c>, 100 batches of 1,000): spawn 1,000, then await each; throughput.</item>
/// </list>
/// Every Miou invocation is one <c>Fiber.Run</c> with one worker domain (<c>Domains = 1</c>, the default on this
/// 2-core machine: processor count minus one); <c>Miou_RunOnly</c> is an empty run of the same shape (start and join the
/// worker), given per operation of the one-by-one shape so it can be subtracted.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallAwait
{
    public const int OneByOne = 20_000;
    public const int Batches = 100;
    public const int Batch = 1_000;
    public const int BatchTotal = Batches * Batch;

    internal static readonly RunOptions Fifo = Options.Fifo with { Domains = 1 };
    internal static readonly RunOptions Random = Options.Random with { Domains = 1 };

    private static readonly Func<Fiber> s_child = static async () => { };
    private static readonly Action s_work = static () => { };

    /// <summary>An async method doing <c>await Task.Run(() => { })</c> 20,000 times.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = OneByOne)]
    [BenchmarkCategory("OneByOne")]
    public void Tpl_OneByOne() => TplOneByOne().GetAwaiter().GetResult();

    /// <summary>A root fiber doing <c>await Fiber.AwaitAsync(await Fiber.CallAsync(...))</c> 20,000 times; FIFO.</summary>
    [Benchmark(OperationsPerInvoke = OneByOne)]
    [BenchmarkCategory("OneByOne")]
    public void Miou_OneByOne_Fifo() => Fiber.Run(MiouOneByOne, Fifo);

    /// <summary>The same under the default random policy.</summary>
    [Benchmark(OperationsPerInvoke = OneByOne)]
    [BenchmarkCategory("OneByOne")]
    public void Miou_OneByOne_Random() => Fiber.Run(MiouOneByOne, Random);

    /// <summary>An empty run with one worker domain, per operation of the one-by-one shape.</summary>
    [Benchmark(OperationsPerInvoke = OneByOne)]
    [BenchmarkCategory("OneByOne")]
    public void Miou_RunOnly() => Fiber.Run(s_child, Random);

    /// <summary>An async method that starts 1,000 <c>Task.Run</c> and awaits each, 100 times.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchTotal)]
    [BenchmarkCategory("Batch")]
    public void Tpl_Batch() => TplBatches.Run(Batches, Batch).GetAwaiter().GetResult();

    /// <summary>A root fiber that calls 1,000 children onto the worker domain, then awaits each, 100 times; FIFO.</summary>
    [Benchmark(OperationsPerInvoke = BatchTotal)]
    [BenchmarkCategory("Batch")]
    public void Miou_Batch_Fifo() => Fiber.Run(MiouBatch, Fifo);

    /// <summary>The same under the default random policy.</summary>
    [Benchmark(OperationsPerInvoke = BatchTotal)]
    [BenchmarkCategory("Batch")]
    public void Miou_Batch_Random() => Fiber.Run(MiouBatch, Random);

    private static async Task TplOneByOne()
    {
        for (var i = 0; i < OneByOne; i++)
        {
            await Task.Run(s_work);
        }
    }

    private static async Fiber MiouOneByOne()
    {
        for (var i = 0; i < OneByOne; i++)
        {
            await Fiber.AwaitAsync(await Fiber.CallAsync(s_child));
        }
    }

    private static async Fiber MiouBatch()
    {
        var promises = new Promise[Batch];
        for (var b = 0; b < Batches; b++)
        {
            for (var i = 0; i < Batch; i++)
            {
                promises[i] = await Fiber.CallAsync(s_child);
            }

            for (var i = 0; i < Batch; i++)
            {
                await Fiber.AwaitAsync(promises[i]);
            }
        }
    }
}
