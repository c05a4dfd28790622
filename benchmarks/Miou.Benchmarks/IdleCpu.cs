using System.Diagnostics;
using Miou.Unix;

namespace Miou.Benchmarks;

/// <summary>
/// <c>--idle-cpu [seconds]</c>: CPU time used by a run that does nothing but wait for a sleeping child. Each variant is
/// timed with <c>Process.TotalProcessorTime</c> (every thread of the process) and the wall clock around the whole
/// <c>Run</c>; a domain that spun while it waited would show about 100% of a core per spinning thread.
/// <list type="bullet">
/// <item>Process floor: the main thread in <c>Thread.Sleep</c>, no run (what the .NET runtime's own threads use).</item>
/// <item>TPL: <c>Task.Run(async () =&gt; await Task.Delay(...))</c> awaited.</item>
/// <item>Miou, Trigger + Timer: <c>Fiber.Run</c> with 2 worker domains, no event source; the root awaits a
/// <c>Fiber.CallAsync</c> child parked on a <c>Trigger</c> that a <c>System.Threading.Timer</c> signals.</item>
/// <item>Miou.Unix sleep: <c>UnixRun.Run</c> (epoll event loop per domain) with 2 worker domains; the root awaits a
/// <c>Fiber.CallAsync</c> child in <c>UnixIO.SleepAsync</c>.</item>
/// </list>
/// </summary>
internal static class IdleCpu
{
    internal const double Seconds = 5;

    private static readonly RunOptions s_options = new() { Domains = 2 };

    internal static int Run(TextWriter output, double seconds)
    {
        var wait = TimeSpan.FromSeconds(seconds);
        var variants = new (string Name, Action Body)[]
        {
            ("process floor: Thread.Sleep, no run", () => Thread.Sleep(wait)),
            ("TPL: Task.Run + await Task.Delay", () => Task.Run(async () => await Task.Delay(wait)).GetAwaiter().GetResult()),
            ("Miou: CallAsync child on a Trigger signalled by a Timer, Domains = 2", () => Fiber.Run(() => TriggerRoot(wait), s_options)),
            ("Miou.Unix: CallAsync child in UnixIO.SleepAsync, Domains = 2", () => UnixRun.Run(() => SleepRoot(wait), s_options)),
        };

        // Warm-up with a short wait, so that JIT and type loading are not counted.
        foreach (var (_, body) in new (string, Action)[]
                 {
                     ("", () => Task.Delay(10).GetAwaiter().GetResult()),
                     ("", () => Fiber.Run(() => TriggerRoot(TimeSpan.FromMilliseconds(10)), s_options)),
                     ("", () => UnixRun.Run(() => SleepRoot(TimeSpan.FromMilliseconds(10)), s_options)),
                 })
        {
            body();
        }

        output.WriteLine($"Wait: {seconds} s; {Environment.ProcessorCount} processors; load average before: {Machine.LoadAverage()}");
        output.WriteLine();
        output.WriteLine("| variant | wall s | CPU s | CPU / wall | machine busy |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, body) in variants)
        {
            GC.Collect();
            var before = Machine.Now();
            body();
            var after = Machine.Now();
            var wall = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
            var cpu = (after.ProcessCpu - before.ProcessCpu).TotalSeconds;
            output.WriteLine($"| {name} | {wall:F3} | {cpu:F3} | {cpu / wall:P2} | {Machine.MachineBusy(before, after):P0} |");
        }

        output.WriteLine();
        output.WriteLine($"load average after: {Machine.LoadAverage()}");
        return 0;
    }

    private static async Fiber TriggerRoot(TimeSpan wait)
    {
        await Fiber.AwaitAsync(await Fiber.CallAsync(async () =>
        {
            var trigger = new Trigger();
            using var timer = new Timer(static state => ((Trigger)state!).Signal(), trigger, wait, Timeout.InfiniteTimeSpan);
            await trigger.AwaitAsync();
        }));
    }

    private static async Fiber SleepRoot(TimeSpan wait)
    {
        await Fiber.AwaitAsync(await Fiber.CallAsync(async () => await UnixIO.SleepAsync(wait)));
    }
}
