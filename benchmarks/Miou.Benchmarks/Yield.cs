using BenchmarkDotNet.Attributes;

namespace Miou.Benchmarks;

/// <summary>Benchmark 2: two fibers yielding 5,000,000 times each. One operation = one yield (10,000,000 per invocation).</summary>
[MemoryDiagnoser]
public class Yield
{
    public const int PerFiber = 5_000_000;
    public const int Total = 2 * PerFiber;

    private static readonly Func<Fiber> s_yielder = Yielder;

    /// <summary>Two async methods doing <c>await Task.Yield()</c> 5,000,000 times each (continuations on the thread pool).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public void Tpl_TaskYield() => Task.WhenAll(TplYielder(), TplYielder()).GetAwaiter().GetResult();

    /// <summary>Two child fibers doing <c>await Fiber.YieldAsync()</c> 5,000,000 times each; FIFO policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Fifo() => Fiber.Run(MiouRoot, Options.Fifo);

    /// <summary>The same under the default random policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Random() => Fiber.Run(MiouRoot, Options.Random);

    private static async Task TplYielder()
    {
        for (var i = 0; i < PerFiber; i++)
        {
            await Task.Yield();
        }
    }

    private static async Fiber Yielder()
    {
        for (var i = 0; i < PerFiber; i++)
        {
            await Fiber.YieldAsync();
        }
    }

    private static async Fiber MiouRoot()
    {
        var a = await Fiber.SpawnAsync(s_yielder);
        var b = await Fiber.SpawnAsync(s_yielder);
        await Fiber.AwaitAsync(a);
        await Fiber.AwaitAsync(b);
    }
}
