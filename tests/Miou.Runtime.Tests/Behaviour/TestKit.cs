using System.Runtime.CompilerServices;

namespace Miou.Tests.Behaviour;

/// <summary>Small helpers shared by the Rules, Behaviour and Stress tests (not the ported suite's Support/).</summary>
internal static class TestKit
{
    internal static readonly RunOptions Fifo = new() { Policy = SchedulingPolicy.Fifo };

    /// <summary>"ThisFile.cs:line" of the caller: put it on the same line as a spawn to know the spawn site Miou records.</summary>
    internal static string Here([CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => $"{Path.GetFileName(file)}:{line}";

    /// <summary>A fiber that parks until cancelled (nobody ever signals its trigger).</summary>
    internal static async Fiber ParkForever() => await new Trigger().AwaitAsync();

    /// <summary>A fiber that yields until cancelled.</summary>
    internal static async Fiber YieldForever()
    {
        while (true)
        {
            await Fiber.YieldAsync();
        }
    }

    /// <summary>Signals <paramref name="started"/>, then parks until cancelled, handing the cancellation to <paramref name="seen"/>.</summary>
    internal static async Fiber ParkUntilCancelled(Trigger started, Action<CancelledException> seen)
    {
        started.Signal();
        try
        {
            await ParkForever();
        }
        catch (CancelledException e)
        {
            seen(e);
            throw;
        }
    }

    /// <summary>Runs <paramref name="operation"/> and returns the <typeparamref name="TException"/> it threw, or null.</summary>
    internal static async Fiber<TException?> CatchAsync<TException>(Func<Fiber> operation) where TException : Exception
    {
        try
        {
            await operation();
            return null;
        }
        catch (TException e)
        {
            return e;
        }
    }

    /// <summary>
    /// Yields until the run's <paramref name="trace"/> shows <paramref name="task"/> parked (at most 1,000 times), and says
    /// whether it did: the robust way to know a task is waiting, whatever the policy and seed.
    /// </summary>
    internal static async Fiber<bool> UntilParked(List<TraceEvent> trace, Promise task)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (trace.Exists(e => e.Kind == TraceKind.Await && e.PromiseId == task.Id))
            {
                return true;
            }

            await Fiber.YieldAsync();
        }

        return false;
    }

    /// <summary>Lets every other runnable task run <paramref name="times"/> times over.</summary>
    internal static async Fiber Yields(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await Fiber.YieldAsync();
        }
    }
}

/// <summary>
/// A tiny event source for tests: <see cref="Ready"/> marks a syscall as ready; the next <see cref="Select"/> resumes it.
/// It records what the domain tells it (cancelled syscalls, blocking calls, disposal). Runs on dom0 only.
/// </summary>
internal sealed class ScriptedEvents : IEvents
{
    private readonly List<(Syscall Syscall, int Selects)> _ready = [];

    internal List<Syscall> Registered { get; } = [];

    internal List<int> Cancelled { get; } = [];

    internal int Selects { get; private set; }

    internal int BlockingSelects { get; private set; }

    internal bool Disposed { get; private set; }

    /// <summary>Called from the task's <c>onSuspend</c>: the syscall is now watched.</summary>
    internal void Register(Syscall syscall) => Registered.Add(syscall);

    /// <summary>The next select, or the one after <paramref name="skippedSelects"/> more, resumes <paramref name="syscall"/>.</summary>
    internal void Ready(Syscall syscall, int skippedSelects = 0) => _ready.Add((syscall, Selects + skippedSelects));

    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        Selects++;
        if (block)
        {
            BlockingSelects++;
        }

        Cancelled.AddRange(cancelledSyscalls);
        var due = _ready.Where(r => r.Selects < Selects).ToList();
        _ready.RemoveAll(due.Contains);
        var signals = due.Select(r => new Signal(r.Syscall)).ToArray();
        if (signals.Length == 0 && block)
        {
            // Nothing will ever be ready: a test that blocks here is waiting for a wake-up that cannot come.
            throw new InvalidOperationException("ScriptedEvents: the domain blocked in select with nothing scripted to resume.");
        }

        return signals;
    }

    public void Interrupt()
    {
    }

    public void Dispose() => Disposed = true;
}
