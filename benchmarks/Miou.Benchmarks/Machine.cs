using System.Diagnostics;
using System.Globalization;

namespace Miou.Benchmarks;

/// <summary>
/// What the machine was doing around a measurement, for the plain measured modes: the load average
/// (<c>/proc/loadavg</c>), the share of all cores busy (<c>/proc/stat</c>, every process) and this process's CPU time.
/// On a shared machine these explain a missed target; on anything but Linux they read as unknown.
/// </summary>
internal readonly record struct Machine(long BusyJiffies, long TotalJiffies, TimeSpan ProcessCpu, long Timestamp)
{
    internal static Machine Now() => ReadStat() is var (busy, total)
        ? new(busy, total, Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp())
        : new(0, 0, Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    /// <summary>The 1-, 5- and 15-minute load averages, as the kernel prints them.</summary>
    internal static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{fields[0]} {fields[1]} {fields[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Process CPU time between two readings, in cores (1.0 = one core busy for the whole interval).</summary>
    internal static double ProcessCores(Machine before, Machine after) =>
        (after.ProcessCpu - before.ProcessCpu).TotalSeconds / Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;

    /// <summary>Share of all cores that were busy (any process) between two readings, 0–1; NaN when unknown.</summary>
    internal static double MachineBusy(Machine before, Machine after) =>
        after.TotalJiffies > before.TotalJiffies
            ? (after.BusyJiffies - before.BusyJiffies) / (double)(after.TotalJiffies - before.TotalJiffies)
            : double.NaN;

    private static (long Busy, long Total)? ReadStat()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var cpu = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user/nice)
            long total = 0;
            for (var i = 1; i <= 8 && i < cpu.Length; i++)
            {
                total += long.Parse(cpu[i], CultureInfo.InvariantCulture);
            }

            var idle = long.Parse(cpu[4], CultureInfo.InvariantCulture) + long.Parse(cpu[5], CultureInfo.InvariantCulture);
            return (total - idle, total);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
