// What one wait of the echo server's request path costs the runtime alone, with no kernel in it: a task suspends on a
// trivial event source that signals it at the next select, two million times, with Fiber.SuspendAsync(name, register)
// (a new syscall per wait, what Miou.Unix did), with Fiber.SuspendAgainAsync(syscall, register) (one syscall reused,
// what it does now), and with that same SuspendAgainAsync inside a nested `async Fiber<int>` method that the loop
// awaits (the shape of UnixSocket.ReadAsync: the nested frame is boxed at each wait, then completes into its caller),
// alternated over five rounds. Prints the process's user CPU time and the thread's bytes allocated per wait; the first
// round includes the JIT.
//
//   dotnet run -c Release --project benchmarks/echo/SuspendCost
using System.Diagnostics;
using Miou;

const int Waits = 2_000_000;
for (var round = 1; round <= 5; round++)
{
    foreach (var way in new[] { Way.New, Way.Again, Way.AgainNested })
    {
        var events = new NextSelect();
        var (ns, bytes) = Fiber.Run(() => WaitsAsync(events, way), new RunOptions { Domains = 0, Events = _ => events });
        var name = way switch
        {
            Way.New => "SuspendAsync(name)          ",
            Way.Again => "SuspendAgainAsync           ",
            _ => "SuspendAgainAsync, nested   ",
        };
        Console.WriteLine(FormattableString.Invariant($"round {round} {name}: {ns:F1} ns user CPU, {bytes} B allocated per wait"));
    }
}

return 0;

static async Fiber<(double Ns, long Bytes)> WaitsAsync(NextSelect events, Way way)
{
    Syscall? kept = null;
    Action<Syscall> register = s =>
    {
        kept = s;
        events.Pending = s;
    };
    await Fiber.SuspendAsync("wait", register); // the syscall SuspendAgainAsync reuses
    using var process = Process.GetCurrentProcess();
    var user = process.UserProcessorTime;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < Waits; i++)
    {
        switch (way)
        {
            case Way.New:
                await Fiber.SuspendAsync("wait", register);
                break;
            case Way.Again:
                await Fiber.SuspendAgainAsync(kept!, register);
                break;
            default:
                _ = await NestedWaitAsync(kept!, register);
                break;
        }
    }

    process.Refresh();
    return ((process.UserProcessorTime - user).TotalNanoseconds / Waits, (GC.GetAllocatedBytesForCurrentThread() - allocated) / Waits);
}

// The wait inside a nested fiber that returns a value, as UnixSocket.ReadAsync waits for its read.
static async Fiber<int> NestedWaitAsync(Syscall syscall, Action<Syscall> register)
{
    await Fiber.SuspendAgainAsync(syscall, register);
    return 1;
}

/// <summary>How a wait suspends.</summary>
internal enum Way
{
    New,
    Again,
    AgainNested,
}

/// <summary>An event source that resumes the one registered syscall at the next select, allocating nothing.</summary>
internal sealed class NextSelect : IEvents
{
    private readonly Signal[] _one = new Signal[1];

    internal Syscall? Pending { get; set; }

    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        if (Pending is not { } syscall)
        {
            return default;
        }

        Pending = null;
        _one[0] = new Signal(syscall);
        return _one;
    }

    public void Interrupt()
    {
        // Never blocks in Select with nothing pending: nothing to interrupt.
    }

    public void Dispose()
    {
        // Owns nothing.
    }
}
