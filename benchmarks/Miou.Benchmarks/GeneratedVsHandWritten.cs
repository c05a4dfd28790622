using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Miou.Benchmarks;

/// <summary>
/// The runtime cost of the [Fiber] generator's output (issue 4): benchmarks 1–3 written once as direct-style
/// <c>[Fiber]</c> methods (the generator makes their <c>async Fiber</c> twins, and <c>Fiber.Run(M)</c> is intercepted
/// to start the twin) against the hand-written <c>async Fiber</c> versions of <see cref="SpawnAwait"/>,
/// <see cref="Yield"/> and <see cref="HandOff"/>, which are called, not copied: each hand-written case is the existing
/// benchmark method. Same workloads, same run options, same operation counts; one category per workload and policy, with
/// the hand-written version as the baseline, so the ratio column is generated / hand-written.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public partial class GeneratedVsHandWritten
{
    private readonly SpawnAwait _spawnAwait = new();
    private readonly Yield _yield = new();
    private readonly HandOff _handOff = new();

    // 1. Spawn and await 1,000,000 trivial children in batches of 1,000.

    [Benchmark(Baseline = true, OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("1 SpawnAwait Fifo")]
    public void SpawnAwait_HandWritten_Fifo() => _spawnAwait.Miou_Fifo();

    [Benchmark(OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("1 SpawnAwait Fifo")]
    public void SpawnAwait_Generated_Fifo() => Fiber.Run(SpawnAwaitRoot, Options.Fifo);

    [Benchmark(Baseline = true, OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("1 SpawnAwait Random")]
    public void SpawnAwait_HandWritten_Random() => _spawnAwait.Miou_Random();

    [Benchmark(OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("1 SpawnAwait Random")]
    public void SpawnAwait_Generated_Random() => Fiber.Run(SpawnAwaitRoot, Options.Random);

    [Fiber]
    private static void SpawnAwaitRoot()
    {
        var promises = new Promise[SpawnAwait.Batch];
        for (var b = 0; b < SpawnAwait.Total / SpawnAwait.Batch; b++)
        {
            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                promises[i] = Fiber.Async(() => { });
            }

            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                Fiber.Await(promises[i]);
            }
        }
    }

    // 2. Two fibers yielding 5,000,000 times each.

    [Benchmark(Baseline = true, OperationsPerInvoke = Yield.Total)]
    [BenchmarkCategory("2 Yield Fifo")]
    public void Yield_HandWritten_Fifo() => _yield.Miou_Fifo();

    [Benchmark(OperationsPerInvoke = Yield.Total)]
    [BenchmarkCategory("2 Yield Fifo")]
    public void Yield_Generated_Fifo() => Fiber.Run(YieldRoot, Options.Fifo);

    [Benchmark(Baseline = true, OperationsPerInvoke = Yield.Total)]
    [BenchmarkCategory("2 Yield Random")]
    public void Yield_HandWritten_Random() => _yield.Miou_Random();

    [Benchmark(OperationsPerInvoke = Yield.Total)]
    [BenchmarkCategory("2 Yield Random")]
    public void Yield_Generated_Random() => Fiber.Run(YieldRoot, Options.Random);

    [Fiber]
    private static void Yielder()
    {
        for (var i = 0; i < Yield.PerFiber; i++)
        {
            Fiber.Yield();
        }
    }

    [Fiber]
    private static void YieldRoot()
    {
        var a = Fiber.Async(Yielder);
        var b = Fiber.Async(Yielder);
        Fiber.Await(a);
        Fiber.Await(b);
    }

    // 3. A turn handed back and forth 1,000,000 times with a FiberMutex and a FiberCondition.

    [Benchmark(Baseline = true, OperationsPerInvoke = HandOff.Total)]
    [BenchmarkCategory("3 HandOff Fifo")]
    public void HandOff_HandWritten_Fifo() => _handOff.Miou_Fifo();

    [Benchmark(OperationsPerInvoke = HandOff.Total)]
    [BenchmarkCategory("3 HandOff Fifo")]
    public void HandOff_Generated_Fifo() => Fiber.Run(HandOffRoot, Options.Fifo);

    [Benchmark(Baseline = true, OperationsPerInvoke = HandOff.Total)]
    [BenchmarkCategory("3 HandOff Random")]
    public void HandOff_HandWritten_Random() => _handOff.Miou_Random();

    [Benchmark(OperationsPerInvoke = HandOff.Total)]
    [BenchmarkCategory("3 HandOff Random")]
    public void HandOff_Generated_Random() => Fiber.Run(HandOffRoot, Options.Random);

    /// <summary>The state the two sides share (the hand-written benchmark's is private to it).</summary>
    private sealed class Turns
    {
        internal readonly FiberMutex Mutex = new();
        internal readonly FiberCondition Turned = new();
        internal int Turn;
    }

    [Fiber]
    private static void Side(Turns turns, int me)
    {
        for (var i = 0; i < HandOff.PerSide; i++)
        {
            turns.Mutex.Lock();
            while (turns.Turn != me)
            {
                turns.Turned.Wait(turns.Mutex);
            }

            turns.Turn = 1 - me;
            turns.Turned.Signal();
            turns.Mutex.Unlock();
        }
    }

    [Fiber]
    private static void HandOffRoot()
    {
        var turns = new Turns();
        var a = Fiber.Async(() => Side(turns, 0));
        var b = Fiber.Async(() => Side(turns, 1));
        Fiber.Await(a);
        Fiber.Await(b);
    }

    // 4. Not one of the runtime benchmarks: spawn and await batches whose children are a [Fiber] method that yields
    //    once, spawned through a lambda (`Fiber.Async(() => Work())`, the generator doc's own idiom) and through the
    //    method group (`Fiber.Async(Work)`); the hand-written baseline spawns the twin directly (`() => WorkAsync()`).

    [Benchmark(Baseline = true, OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("4 SpawnAwait of a [Fiber] child Fifo")]
    public void FiberChild_HandWritten_Fifo() => Fiber.Run(FiberChildHandWritten, Options.Fifo);

    [Benchmark(OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("4 SpawnAwait of a [Fiber] child Fifo")]
    public void FiberChild_Generated_Lambda_Fifo() => Fiber.Run(FiberChildLambda, Options.Fifo);

    [Benchmark(OperationsPerInvoke = SpawnAwait.Total)]
    [BenchmarkCategory("4 SpawnAwait of a [Fiber] child Fifo")]
    public void FiberChild_Generated_MethodGroup_Fifo() => Fiber.Run(FiberChildMethodGroup, Options.Fifo);

    [Fiber]
    private static void YieldOnce() => Fiber.Yield();

    private static async Fiber FiberChildHandWritten()
    {
        var promises = new Promise[SpawnAwait.Batch];
        for (var b = 0; b < SpawnAwait.Total / SpawnAwait.Batch; b++)
        {
            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                promises[i] = await Fiber.SpawnAsync(() => YieldOnceAsync());
            }

            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                await Fiber.AwaitAsync(promises[i]);
            }
        }
    }

    [Fiber]
    private static void FiberChildLambda()
    {
        var promises = new Promise[SpawnAwait.Batch];
        for (var b = 0; b < SpawnAwait.Total / SpawnAwait.Batch; b++)
        {
            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                promises[i] = Fiber.Async(() => YieldOnce());
            }

            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                Fiber.Await(promises[i]);
            }
        }
    }

    [Fiber]
    private static void FiberChildMethodGroup()
    {
        var promises = new Promise[SpawnAwait.Batch];
        for (var b = 0; b < SpawnAwait.Total / SpawnAwait.Batch; b++)
        {
            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                promises[i] = Fiber.Async(YieldOnce);
            }

            for (var i = 0; i < SpawnAwait.Batch; i++)
            {
                Fiber.Await(promises[i]);
            }
        }
    }
}
