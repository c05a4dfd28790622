using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Miou.Benchmarks;

/// <summary>
/// <c>--quick</c>: a smoke check without BenchmarkDotNet. Runs every [Benchmark] method once to warm up, then once
/// measured (Stopwatch; <c>GC.GetTotalAllocatedBytes(precise: true)</c>, all threads), and prints ns/op, B/op, the
/// ratio to the class's baseline, and the process's CPU time per operation (all threads: on a loaded machine, less
/// disturbed than the elapsed time for a run on one thread). One sample: a sanity check that everything runs and completes, not a measurement.
/// An optional filter (a substring of "Class.Method") narrows what runs.
/// </summary>
internal static class Quick
{
    internal static readonly Type[] Classes = [typeof(SpawnAwait), typeof(Yield), typeof(HandOff), typeof(CallAwait)];

    internal static int Run(TextWriter output, string? filter)
    {
        output.WriteLine("| benchmark | ns/op | B/op | ratio to baseline | CPU ns/op |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var type in Classes)
        {
            var instance = Activator.CreateInstance(type)!;
            double? baseline = null;
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<BenchmarkAttribute>() is not { } attribute)
                {
                    continue;
                }

                var name = $"{type.Name}.{method.Name}";
                if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var operations = attribute.OperationsPerInvoke;
                method.Invoke(instance, null); // warm-up
                var bytes = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                method.Invoke(instance, null);
                clock.Stop();
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
                var ns = clock.Elapsed.TotalNanoseconds / operations;
                if (attribute.Baseline)
                {
                    baseline = ns;
                }

                var ratio = baseline is { } b ? $"{ns / b:F2}" : "-";
                output.WriteLine($"| {name} | {ns:F1} | {bytes / (double)operations:F1} | {ratio} | {cpu.TotalNanoseconds / operations:F1} |");
            }
        }

        return 0;
    }
}
