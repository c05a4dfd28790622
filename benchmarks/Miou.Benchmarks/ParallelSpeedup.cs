using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Miou.Benchmarks;

/// <summary>
/// <c>--parallel-speedup [runs]</c>: two CPU-bound items (a deterministic busy computation of about 0.2 s each, no
/// sleeping) run one after the other on one thread, and in parallel by each contender: Miou's <c>Fiber.ParallelAsync</c>
/// on 2 worker domains (the whole <c>Fiber.Run</c> timed, worker start and join included),
/// <c>System.Threading.Tasks.Parallel.For</c>, <c>Task.Run</c> ×2 + <c>Task.WhenAll</c>, and two plain threads started and
/// joined (no scheduler at all: the ceiling this machine allows, so a slow run that all contenders share is the machine's,
/// not a scheduler's). Every run measures the
/// sequential time again and each contender right after it (the order rotates from run to run), and prints the speedup of
/// every run, not only the median, with what explains a slow one: whether the two items overlapped, how many cores the
/// process got (its CPU time over the wall time) and how busy the whole machine was. Not BenchmarkDotNet: it aggregates
/// runs, and the point here is each run.
/// </summary>
internal static class ParallelSpeedup
{
    /// <summary>Iterations of the busy loop per item: about 0.2 s of one core on the 2.5 GHz Xeon of RESULTS.md.</summary>
    internal const long Iterations = 150_000_000;

    internal const int Runs = 10;

    internal const double Target = 1.85;

    private static readonly int[] s_items = [0, 1];
    private static readonly long[] s_start = new long[2];
    private static readonly long[] s_end = new long[2];
    private static readonly ulong[] s_expected = [Compute(0), Compute(1)];
    private static readonly RunOptions s_options = new() { Domains = 2 };

    private enum Contender
    {
        Sequential,
        Miou,
        ParallelFor,
        TaskRun,
        Threads,
    }

    private readonly record struct Sample(double Ms, double OverlapPercent, double StartSkewMs, double ProcessCores, double MachineBusy);

    internal static int Run(TextWriter output, int runs)
    {
        output.WriteLine($"Two items of {Iterations:N0} dependent multiply-adds each; {Environment.ProcessorCount} processors; " +
                         $"Miou: Fiber.Run(..., new RunOptions {{ Domains = 2 }}), the whole Run timed.");
        output.WriteLine($"load average before: {Machine.LoadAverage()}");
        var contenders = new[] { Contender.Sequential, Contender.Miou, Contender.ParallelFor, Contender.TaskRun, Contender.Threads };
        foreach (var contender in contenders)
        {
            Measure(contender); // warm-up: JIT, thread pool threads, Miou's code paths
        }

        var samples = new Dictionary<Contender, List<Sample>>();
        foreach (var contender in contenders)
        {
            samples[contender] = [];
        }

        var loads = new List<string>();
        for (var run = 0; run < runs; run++)
        {
            loads.Add(Machine.LoadAverage());
            for (var k = 0; k < contenders.Length; k++)
            {
                var contender = contenders[(k + run) % contenders.Length]; // rotate the order
                samples[contender].Add(Measure(contender));
            }
        }

        output.WriteLine($"load average after:  {Machine.LoadAverage()}");
        output.WriteLine();
        output.WriteLine("Sequential (both items on one thread), per run: " +
                         string.Join(", ", samples[Contender.Sequential].Select(s => $"{s.Ms:F0} ms")) +
                         $"; process CPU per item {Range(samples[Contender.Sequential], s => s.ProcessCores * s.Ms / 2, "F0")} ms" +
                         $"; process cores {Range(samples[Contender.Sequential], s => s.ProcessCores, "F2")}");
        var failed = false;
        var belowRounds = new List<string>();
        foreach (var contender in contenders.Skip(1))
        {
            output.WriteLine();
            output.WriteLine($"### {Describe(contender)}");
            output.WriteLine();
            output.WriteLine("| run | load avg (1 5 15 min) | sequential ms | parallel ms | speedup | items overlap | start skew ms | process cores | machine busy |");
            output.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            var speedups = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var sequential = samples[Contender.Sequential][run];
                var sample = samples[contender][run];
                var speedup = sequential.Ms / sample.Ms;
                speedups.Add(speedup);
                output.WriteLine($"| {run + 1} | {loads[run]} | {sequential.Ms:F0} | {sample.Ms:F0} | {speedup:F2}{(speedup < Target ? " (below)" : "")} | " +
                                 $"{sample.OverlapPercent:F0}% | {sample.StartSkewMs:F1} | {sample.ProcessCores:F2} | {sample.MachineBusy:P0} |");
            }

            var sorted = speedups.Order().ToList();
            var below = speedups.Count(s => s < Target);
            failed |= below > 0;
            belowRounds.Add($"{Label(contender)} [{string.Join(" ", Enumerable.Range(1, runs).Where(run => speedups[run - 1] < Target))}]");
            output.WriteLine();
            output.WriteLine($"speedups: {string.Join(" ", speedups.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}; " +
                             $"min {sorted[0]:F2}, median {Median(sorted):F2}, max {sorted[^1]:F2}; below {Target}x: {below} of {runs}");
        }

        output.WriteLine();
        output.WriteLine($"rounds below {Target}x: " + string.Join("; ", belowRounds));
        return failed ? 1 : 0;
    }

    private static string Describe(Contender contender) => contender switch
    {
        Contender.Miou => "Miou: Fiber.ParallelAsync on 2 worker domains",
        Contender.ParallelFor => "System.Threading.Tasks.Parallel.For(0, 2, ...)",
        Contender.TaskRun => "Task.Run x2 + Task.WhenAll",
        Contender.Threads => "two plain threads, started and joined (the machine's ceiling)",
        _ => "sequential",
    };

    private static string Label(Contender contender) => contender switch
    {
        Contender.ParallelFor => "Parallel.For",
        Contender.TaskRun => "Task.Run",
        Contender.Threads => "plain threads",
        _ => contender.ToString(),
    };

    private static Sample Measure(Contender contender)
    {
        Array.Clear(s_start);
        Array.Clear(s_end);
        var before = Machine.Now();
        var results = contender switch
        {
            Contender.Sequential => [Item(0), Item(1)],
            Contender.Miou => Fiber.Run(MiouRoot, s_options),
            Contender.ParallelFor => ParallelFor(),
            Contender.TaskRun => Task.WhenAll(Task.Run(() => Item(0)), Task.Run(() => Item(1))).GetAwaiter().GetResult(),
            Contender.Threads => PlainThreads(),
            _ => throw new ArgumentOutOfRangeException(nameof(contender)),
        };
        var after = Machine.Now();
        if (!results.SequenceEqual(s_expected))
        {
            throw new InvalidOperationException($"{contender}: wrong results {string.Join(", ", results)}");
        }

        var ms = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalMilliseconds;
        var shorter = Math.Min(s_end[0] - s_start[0], s_end[1] - s_start[1]);
        var overlap = Math.Max(0, Math.Min(s_end[0], s_end[1]) - Math.Max(s_start[0], s_start[1]));
        var skew = Math.Abs(s_start[1] - s_start[0]) * 1000.0 / Stopwatch.Frequency;
        return new(ms, 100.0 * overlap / shorter, skew, Machine.ProcessCores(before, after), Machine.MachineBusy(before, after));
    }

    private static async Fiber<ulong[]> MiouRoot()
    {
        var outcomes = await Fiber.ParallelAsync(async (int i) => Item(i), s_items);
        return outcomes.Select(o => o.Value).ToArray();
    }

    private static ulong[] ParallelFor()
    {
        var results = new ulong[2];
        Parallel.For(0, 2, i => results[i] = Item(i));
        return results;
    }

    private static ulong[] PlainThreads()
    {
        var results = new ulong[2];
        var threads = s_items.Select(i => new Thread(() => results[i] = Item(i))).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return results;
    }

    private static ulong Item(int i)
    {
        s_start[i] = Stopwatch.GetTimestamp();
        var result = Compute(i);
        s_end[i] = Stopwatch.GetTimestamp();
        return result;
    }

    /// <summary>A chain of dependent 64-bit multiply-adds (an LCG): latency-bound, no memory traffic, not foldable.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static ulong Compute(int seed)
    {
        var x = (ulong)seed + 1;
        for (var k = 0L; k < Iterations; k++)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
        }

        return x;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string Range(List<Sample> samples, Func<Sample, double> field, string format) =>
        $"{samples.Min(field).ToString(format, System.Globalization.CultureInfo.InvariantCulture)}–{samples.Max(field).ToString(format, System.Globalization.CultureInfo.InvariantCulture)}";
}
