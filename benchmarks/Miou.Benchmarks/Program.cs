using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Miou.Benchmarks;

/// <summary>
/// Entry point. Modes (see benchmarks/RESULTS.md for the commands used):
/// <list type="bullet">
/// <item>BenchmarkDotNet (default): <c>-- --filter '*'</c>, any BenchmarkDotNet option (e.g. <c>--job short</c>).</item>
/// <item><c>--quick [filter]</c>: run every benchmark once, no BenchmarkDotNet: a smoke check in seconds.</item>
/// <item><c>--suspended [count]</c>: bytes per suspended fiber versus pending Task (benchmark 4).</item>
/// <item><c>--breakdown</c>: where Miou's bytes go: object sizes and allocations per single operation.</item>
/// <item><c>--parallel-speedup [runs]</c>: two CPU-bound items under <c>Fiber.ParallelAsync</c> on 2 domains, <c>Parallel.For</c>
/// <c>Task.Run</c> and two plain threads (the machine's ceiling) against running them one after the other; the speedup of each run.</item>
/// <item><c>--idle-cpu [seconds]</c>: CPU time of a run that only waits for a sleeping child.</item>
/// <item><c>--generated-paired [rounds]</c>: the [Fiber] twins of <see cref="GeneratedVsHandWritten"/> against the
/// hand-written code: their IL, and paired (alternating) timings in one process.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "--quick":
                return Quick.Run(Console.Out, args.Length > 1 ? args[1] : null);
            case "--suspended":
                return SuspendedMemory.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : SuspendedMemory.Count);
            case "--breakdown":
                return Breakdown.Run(Console.Out);
            case "--parallel-speedup":
                return ParallelSpeedup.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : ParallelSpeedup.Runs);
            case "--idle-cpu":
                return IdleCpu.Run(Console.Out, args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : IdleCpu.Seconds);
            case "--generated-paired":
                return GeneratedPaired.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : GeneratedPaired.Rounds);
            default:
                var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance);
                return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        }
    }
}
