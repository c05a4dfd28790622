using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace Miou.Benchmarks;

/// <summary>
/// Benchmark 3: a token handed back and forth 1,000,000 times between two parties (500,000 passes each). One operation =
/// one hand-off.
/// </summary>
[MemoryDiagnoser]
public class HandOff
{
    public const int Total = 1_000_000;
    public const int PerSide = Total / 2;

    /// <summary>Two semaphores ping-pong: each side waits on its own and releases the other's.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public void Tpl_SemaphoreSlim()
    {
        using var a = new SemaphoreSlim(1);
        using var b = new SemaphoreSlim(0);
        Task.WhenAll(SemaphoreSide(a, b), SemaphoreSide(b, a)).GetAwaiter().GetResult();
    }

    /// <summary>Two channels ping-pong: each side reads the token from its channel and writes it to the other's.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Tpl_Channel()
    {
        var a = Channel.CreateUnbounded<int>();
        var b = Channel.CreateUnbounded<int>();
        a.Writer.TryWrite(0);
        Task.WhenAll(ChannelSide(a, b), ChannelSide(b, a)).GetAwaiter().GetResult();
    }

    /// <summary>FiberMutex + FiberCondition around a shared turn variable; FIFO policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Fifo() => Fiber.Run(MiouRoot, Options.Fifo);

    /// <summary>The same under the default random policy.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public void Miou_Random() => Fiber.Run(MiouRoot, Options.Random);

    private static async Task SemaphoreSide(SemaphoreSlim mine, SemaphoreSlim other)
    {
        for (var i = 0; i < PerSide; i++)
        {
            await mine.WaitAsync();
            other.Release();
        }
    }

    private static async Task ChannelSide(Channel<int> mine, Channel<int> other)
    {
        for (var i = 0; i < PerSide; i++)
        {
            var token = await mine.Reader.ReadAsync();
            other.Writer.TryWrite(token + 1);
        }
    }

    private sealed class Shared
    {
        internal readonly FiberMutex Mutex = new();
        internal readonly FiberCondition Turned = new();
        internal int Turn;
    }

    private static async Fiber Side(Shared shared, int me)
    {
        for (var i = 0; i < PerSide; i++)
        {
            await shared.Mutex.LockAsync();
            while (shared.Turn != me)
            {
                await shared.Turned.WaitAsync(shared.Mutex);
            }

            shared.Turn = 1 - me;
            shared.Turned.Signal();
            shared.Mutex.Unlock();
        }
    }

    private static async Fiber MiouRoot()
    {
        var shared = new Shared();
        var a = await Fiber.SpawnAsync(() => Side(shared, 0));
        var b = await Fiber.SpawnAsync(() => Side(shared, 1));
        await Fiber.AwaitAsync(a);
        await Fiber.AwaitAsync(b);
    }
}
