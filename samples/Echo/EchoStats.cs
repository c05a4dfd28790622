using System.Diagnostics;

/// <summary>
/// What the server spent per request, printed at exit when <c>MIOU_ECHO_STATS=1</c> (benchmarks/echo/per-request.sh sets
/// it): bytes allocated, process CPU time and its user-mode part over the serving window, from the moment every expected
/// connection has been accepted (start-up and most of the JIT are behind) to the moment the last one has closed, divided
/// by the requests (reads that returned data) served in it; and the window's collections per generation and GC pause.
/// The bytes and the CPU per request hardly move with a shared machine's load, unlike requests/s.
/// </summary>
internal static class EchoStats
{
    internal static readonly bool Enabled = Environment.GetEnvironmentVariable("MIOU_ECHO_STATS") == "1";

    private static long s_requests;
    private static long s_requestsAtStart;
    private static long s_allocatedAtStart;
    private static TimeSpan s_cpuAtStart;
    private static TimeSpan s_userAtStart;
    private static readonly int[] s_collectionsAtStart = new int[3];
    private static TimeSpan s_gcPauseAtStart;

    /// <summary>A handler ends: its requests join the total (one atomic add per connection, not per request).</summary>
    internal static void Served(long requests)
    {
        if (Enabled)
        {
            Interlocked.Add(ref s_requests, requests);
        }
    }

    /// <summary>Every expected connection has been accepted: the window starts.</summary>
    internal static void Start()
    {
        if (Enabled)
        {
            s_requestsAtStart = Interlocked.Read(ref s_requests);
            s_allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
            using var process = Process.GetCurrentProcess();
            s_cpuAtStart = process.TotalProcessorTime;
            s_userAtStart = process.UserProcessorTime;
            for (var generation = 0; generation < 3; generation++)
            {
                s_collectionsAtStart[generation] = GC.CollectionCount(generation);
            }

            s_gcPauseAtStart = GC.GetTotalPauseDuration();
        }
    }

    /// <summary>Every connection has closed: prints the window's figures on <paramref name="log"/>.</summary>
    internal static void Stop(TextWriter log)
    {
        if (!Enabled)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime - s_cpuAtStart;
        var user = process.UserProcessorTime - s_userAtStart; // what the request path's own code costs; the kernel's share is most of the rest
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - s_allocatedAtStart;
        var requests = Math.Max(1, Interlocked.Read(ref s_requests) - s_requestsAtStart);
        // Collections and GC pause over the window: whether the collector could explain a slow run.
        var gcPause = GC.GetTotalPauseDuration() - s_gcPauseAtStart;
        log.WriteLine(FormattableString.Invariant(
            $"echo_stats requests={requests} alloc_bytes_per_request={(double)allocated / requests:F1} cpu_us_per_request={cpu.TotalMicroseconds / requests:F2} user_us_per_request={user.TotalMicroseconds / requests:F2} gen0={GC.CollectionCount(0) - s_collectionsAtStart[0]} gen1={GC.CollectionCount(1) - s_collectionsAtStart[1]} gen2={GC.CollectionCount(2) - s_collectionsAtStart[2]} gc_pause_ms={gcPause.TotalMilliseconds:F1}"));
        log.Flush();
    }
}
