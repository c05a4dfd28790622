using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Miou.Benchmarks;

/// <summary>
/// <c>--breakdown</c>: where Miou's bytes go, for the runtime's owner.
/// <list type="number">
/// <item>Sizes of the objects on Miou's hot paths: each type is instantiated with
/// <c>RuntimeHelpers.GetUninitializedObject</c> and its size read as the delta of
/// <c>GC.GetAllocatedBytesForCurrentThread()</c>. Internal types are found by name through reflection (a name that no
/// longer exists prints "n/a").</item>
/// <item>Bytes per operation: each workload runs with k and 2k operations, and the difference of allocated bytes on the
/// thread divided by k is the cost of one operation (the run's fixed costs cancel out). Everything runs on dom0, the
/// calling thread.</item>
/// <item>Allocations by type: the runtime's GCAllocationTick events (one sample about every 100 KB allocated, with
/// the type of the object that crossed the threshold), read in-process with an EventListener, as shares of the
/// workload's bytes.</item>
/// </list>
/// </summary>
internal static class Breakdown
{
    private static readonly Assembly s_miou = typeof(Fiber).Assembly;

    internal static int Run(TextWriter output)
    {
        output.WriteLine("## Object sizes (bytes, including the 16-byte header)");
        output.WriteLine();
        output.WriteLine("| object | bytes |");
        output.WriteLine("| --- | ---: |");
        foreach (var (name, type) in HotTypes())
        {
            output.WriteLine($"| {name} | {(type is null ? "n/a" : SizeOf(type).ToString(System.Globalization.CultureInfo.InvariantCulture))} |");
        }

        output.WriteLine();
        output.WriteLine("## Bytes allocated per operation (FIFO, one domain)");
        output.WriteLine();
        output.WriteLine("| operation | B/op |");
        output.WriteLine("| --- | ---: |");
        foreach (var (name, workload) in Workloads())
        {
            output.WriteLine($"| {name} | {PerOperation(workload):F1} |");
        }

        output.WriteLine();
        output.WriteLine("## Allocations by type (GCAllocationTick samples, share of bytes)");
        foreach (var (name, workload) in Workloads())
        {
            output.WriteLine();
            output.WriteLine($"{name}:");
            foreach (var line in ByType(() => workload(200_000)))
            {
                output.WriteLine($"  {line}");
            }
        }

        return 0;
    }

    private static IEnumerable<(string Name, Type? Type)> HotTypes()
    {
        var box = s_miou.GetType("Miou.Building.FiberBox`2");
        Type? Box(Type? owner, string method, Type result)
        {
            var machine = owner?.GetNestedTypes(BindingFlags.NonPublic).FirstOrDefault(t => t.Name.StartsWith($"<{method}>d__", StringComparison.Ordinal));
            if (machine is { IsGenericTypeDefinition: true })
            {
                machine = machine.MakeGenericType(owner!.GetGenericArguments()); // nested in a generic type: close it
            }

            return box is null || machine is null ? null : box.MakeGenericType(result, machine);
        }

        yield return ("Promise<Unit> (one per task)", typeof(Promise<Unit>));
        yield return ("Trigger", typeof(Trigger));
        yield return ("FiberBox of FiberMutex.LockAsync", Box(typeof(FiberMutex), "LockAsync", typeof(Unit)));
        yield return ("FiberBox of FiberCondition.WaitAsync", Box(typeof(FiberCondition), "WaitAsync", typeof(Unit)));
        yield return ("FiberBox of Computation<int>.AwaitAsync", Box(typeof(Computation<int>), "AwaitAsync", typeof(Result<int>)));
        yield return ("FiberBox of a benchmark fiber (Yield.Yielder)", Box(typeof(Yield), "Yielder", typeof(Unit)));
        yield return ("FiberBox of a benchmark fiber (HandOff.Side)", Box(typeof(HandOff), "Side", typeof(Unit)));
        yield return ("LinkedListNode<(Trigger, Promise)> (mutex waiter)", typeof(LinkedListNode<(Trigger, Promise)>));
        yield return ("LinkedListNode<Trigger> (condition waiter)", typeof(LinkedListNode<Trigger>));
        yield return ("TPL: Task (plain, as Task.Run makes)", typeof(Task));
    }

    private static long SizeOf(Type type)
    {
        GC.KeepAlive(RuntimeHelpers.GetUninitializedObject(type));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var instance = RuntimeHelpers.GetUninitializedObject(type);
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(instance);
        return after - before;
    }

    private static readonly Func<Fiber> s_trivial = static async () => { };

    private static IEnumerable<(string Name, Action<int> Workload)> Workloads() =>
    [
        ("spawn + await of a trivial child (batches of 1,000)", SpawnAwait),
        ("spawn alone (children left to the await phase)", SpawnOnly),
        ("yield", YieldOnly),
        ("uncontended FiberMutex.LockAsync + Unlock", LockUnlock),
        ("mutex/condition hand-off (one pass of the token)", HandOffs),
    ];

    private static void SpawnAwait(int k) => Fiber.Run(async () =>
    {
        var promises = new Promise[1_000];
        for (var done = 0; done < k; done += promises.Length)
        {
            for (var i = 0; i < promises.Length; i++)
            {
                promises[i] = await Fiber.SpawnAsync(s_trivial);
            }

            for (var i = 0; i < promises.Length; i++)
            {
                await Fiber.AwaitAsync(promises[i]);
            }
        }
    }, Options.Fifo);


    /// <summary>Only the spawn phase is counted: allocations are read inside the run around the spawn loops.</summary>
    private static long s_spawnBytes;

    private static void SpawnOnly(int k)
    {
        // Measured directly around the spawn loops (the awaits are outside the window); PerOperation is bypassed by
        // storing the window's bytes, see PerOperation.
        s_spawnBytes = 0;
        Fiber.Run(async () =>
        {
            var promises = new Promise[1_000];
            for (var done = 0; done < k; done += promises.Length)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < promises.Length; i++)
                {
                    promises[i] = await Fiber.SpawnAsync(s_trivial);
                }

                s_spawnBytes += GC.GetAllocatedBytesForCurrentThread() - before;
                for (var i = 0; i < promises.Length; i++)
                {
                    await Fiber.AwaitAsync(promises[i]);
                }
            }
        }, Options.Fifo);
    }

    private static void YieldOnly(int k) => Fiber.Run(async () =>
    {
        for (var i = 0; i < k; i++)
        {
            await Fiber.YieldAsync();
        }
    }, Options.Fifo);

    private static void LockUnlock(int k) => Fiber.Run(async () =>
    {
        var mutex = new FiberMutex();
        for (var i = 0; i < k; i++)
        {
            await mutex.LockAsync();
            mutex.Unlock();
        }
    }, Options.Fifo);

    private static void HandOffs(int k) => Fiber.Run(async () =>
    {
        var mutex = new FiberMutex();
        var turned = new FiberCondition();
        var turn = 0;
        async Fiber Side(int me)
        {
            for (var i = 0; i < k / 2; i++)
            {
                await mutex.LockAsync();
                while (turn != me)
                {
                    await turned.WaitAsync(mutex);
                }

                turn = 1 - me;
                turned.Signal();
                mutex.Unlock();
            }
        }

        var a = await Fiber.SpawnAsync(() => Side(0));
        var b = await Fiber.SpawnAsync(() => Side(1));
        await Fiber.AwaitAsync(a);
        await Fiber.AwaitAsync(b);
    }, Options.Fifo);

    private static double PerOperation(Action<int> workload)
    {
        const int k = 100_000;
        workload(k); // warm-up
        if (workload == SpawnOnly)
        {
            workload(k);
            return s_spawnBytes / (double)k;
        }

        var one = Allocated(() => workload(k));
        var two = Allocated(() => workload(2 * k));
        return (two - one) / (double)k;
    }

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static IEnumerable<string> ByType(Action workload)
    {
        using var listener = new AllocationListener();
        workload();
        Thread.Sleep(1_500); // EventListener dispatch is asynchronous
        var samples = listener.Samples.ToArray();
        var total = samples.Sum(s => s.Value);
        if (total == 0)
        {
            return ["(no allocation sampled)"];
        }

        return samples.OrderByDescending(s => s.Value).Take(8).Select(s => $"{100.0 * s.Value / total,5:F1}%  {s.Key}");
    }

    private sealed class AllocationListener : EventListener
    {
        internal readonly ConcurrentDictionary<string, long> Samples = new();
        private readonly int _thread = Environment.CurrentManagedThreadId;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
            {
                return;
            }

            var type = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            Samples.AddOrUpdate(type, amount, (_, v) => v + amount);
            _ = _thread;
        }
    }
}
