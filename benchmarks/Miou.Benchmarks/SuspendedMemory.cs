namespace Miou.Benchmarks;

/// <summary>
/// Benchmark 4 (a measured program, not BenchmarkDotNet): bytes per suspended item with 1,000,000 items suspended at
/// once. How it is measured, for each variant, all on one thread:
/// <list type="number">
/// <item>Everything the measurement itself needs (the array that keeps the 1,000,000 handles, the shared
/// Computation or TaskCompletionSource, the delegates) is allocated first.</item>
/// <item>Baseline: <c>GC.GetTotalMemory(forceFullCollection: true)</c> (live heap after a full blocking GC) and
/// <c>GC.GetAllocatedBytesForCurrentThread()</c>.</item>
/// <item>1,000,000 items are started and the program waits until every one is suspended: for TPL, each call of the
/// async method has returned a pending Task; for Miou, the root fiber yields until the trace consumer has seen a
/// <c>TraceKind.Await</c> (a park) for every child.</item>
/// <item>Measured again; (live heap after - before) / 1,000,000 is the retained cost of one suspended item, and
/// (allocated after - before) / 1,000,000 what was allocated per item to get there (including garbage).</item>
/// <item>Then everything is released and completes, so the run ends normally.</item>
/// </list>
/// The retained figure includes the item's share of the containers that grow with the count (the list of waiters of the
/// shared Computation or TaskCompletionSource, the scheduler's run queue), amortised per item.
/// </summary>
internal static class SuspendedMemory
{
    internal const int Count = 1_000_000;

    internal readonly record struct Measure(string Name, double RetainedPerItem, double AllocatedPerItem);

    internal static int Run(TextWriter output, int count = Count)
    {
        // Warm up every path (JIT, static initialisers) on a small count first.
        foreach (var variant in Variants())
        {
            variant(1_000);
        }

        output.WriteLine($"Bytes per suspended item, {count:N0} suspended at once (live heap delta after full GC; allocated bytes on the thread):");
        output.WriteLine();
        output.WriteLine("| variant | retained B/item | allocated B/item |");
        output.WriteLine("| --- | ---: | ---: |");
        foreach (var variant in Variants())
        {
            var m = variant(count);
            output.WriteLine($"| {m.Name} | {m.RetainedPerItem:F1} | {m.AllocatedPerItem:F1} |");
        }

        return 0;
    }

    private static IEnumerable<Func<int, Measure>> Variants() =>
    [
        n => Tpl(n),
        n => MiouComputation(n, Options.Fifo, "Miou, FIFO: child parked on a shared Computation<int> (AwaitAsync)"),
        n => MiouComputation(n, Options.Random, "Miou, random: child parked on a shared Computation<int> (AwaitAsync)"),
        n => MiouOwnTrigger(n, Options.Fifo, "Miou, FIFO: child parked on its own Trigger (the floor: promise + frame + trigger)"),
        n => MiouOwnTrigger(n, Options.Random, "Miou, random: child parked on its own Trigger"),
    ];

    private static async Task Waiter(Task shared) => await shared;

    private static Measure Tpl(int n)
    {
        var tasks = new Task[n];
        var tcs = new TaskCompletionSource();
        var heapBefore = GC.GetTotalMemory(true);
        var allocBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            tasks[i] = Waiter(tcs.Task);
        }

        var allocAfter = GC.GetAllocatedBytesForCurrentThread();
        var heapAfter = GC.GetTotalMemory(true);
        GC.KeepAlive(tasks);
        tcs.SetResult();
        Task.WaitAll(tasks);
        return new("TPL: pending async Task method awaiting a shared TaskCompletionSource.Task", (heapAfter - heapBefore) / (double)n, (allocAfter - allocBefore) / (double)n);
    }

    private static Measure MiouComputation(int n, RunOptions options, string name)
    {
        var shared = new Computation<int>();
        Func<Fiber> body = async () => await shared.AwaitAsync();
        return MeasureMiou(n, options, name, body, () => shared.TryReturn(0));
    }

    private static Measure MiouOwnTrigger(int n, RunOptions options, string name)
    {
        var triggers = new Trigger[n];
        var next = 0;
        Func<Fiber> body = async () =>
        {
            var trigger = new Trigger();
            triggers[next++] = trigger;
            await trigger.AwaitAsync();
        };
        return MeasureMiou(n, options, name, body, () =>
        {
            foreach (var t in triggers)
            {
                t.Signal();
            }
        });
    }

    private static Measure MeasureMiou(int n, RunOptions options, string name, Func<Fiber> body, Action release)
    {
        var parked = 0;
        var promises = new Promise[n];
        long heapBefore = 0, heapAfter = 0, allocBefore = 0, allocAfter = 0;
        Action<TraceEvent> trace = e =>
        {
            if (e.Kind == TraceKind.Await && e.PromiseId != 1)
            {
                parked++;
            }
        };
        Func<Fiber> root = async () =>
        {
            heapBefore = GC.GetTotalMemory(true);
            allocBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < n; i++)
            {
                promises[i] = await Fiber.SpawnAsync(body);
            }

            while (parked < n)
            {
                await Fiber.YieldAsync();
            }

            allocAfter = GC.GetAllocatedBytesForCurrentThread();
            heapAfter = GC.GetTotalMemory(true);
            release();
            foreach (var p in promises)
            {
                await Fiber.AwaitAsync(p);
            }
        };
        Fiber.Run(root, options with { Trace = trace });
        return new(name, (heapAfter - heapBefore) / (double)n, (allocAfter - allocBefore) / (double)n);
    }
}
