// The suspension API explained by building `sleep` on it — the original book's "sleepers" chapter, in C#.
//
//   dotnet run --project samples/Sleepers
//
// An event source (IEvents) is what resumes tasks suspended on system events. Miou.Unix's loop does this with epoll; here
// the only "event" is time, so the whole source fits on a page:
//
//   1. A task creates a token:            var syscall = Fiber.Syscall("sleep");
//   2. and suspends on it, registering it in the source once the suspension is accepted:
//                                          Fiber.Suspend(syscall, () => sleepers.Add(deadline, syscall));
//   3. The domain calls Select(block, cancelled) while a task is suspended — after every step without blocking, and
//      with block = true when it has nothing else to do. Select returns `new Signal(syscall)` for each sleeper whose
//      deadline has passed: the domain resumes those tasks.
//   4. A task cancelled while asleep: its token's id arrives in `cancelled` at a later Select; forget it there.
//   5. Interrupt() may come from any thread while Select blocks: it must make Select return.
//
// Direct style: [Fiber] methods, no async/await; Miou's generator gives each a resumable twin.
using System.Diagnostics;
using Miou;

var log = Fiber.Run(Demo.Sleepy, new RunOptions { Events = domain => new Sleepers(), Domains = 0, Policy = SchedulingPolicy.Fifo });
foreach (var line in log)
{
    Console.WriteLine(line);
}

internal static partial class Demo
{
    [Fiber]
    internal static List<string> Sleepy()
    {
        var log = new List<string>();
        // Three sleepers, spawned in an order unrelated to their deadlines, wake in deadline order.
        var sleepers = new List<Promise>();
        foreach (var ms in new[] { 300, 100, 200 })
        {
            sleepers.Add(Fiber.Async(() =>
            {
                Sleepers.Sleep(TimeSpan.FromMilliseconds(ms));
                log.Add($"woke after {ms} ms");
            }));
        }

        foreach (var sleeper in sleepers)
        {
            Fiber.Await(sleeper);
        }

        // A sleeper cancelled long before its deadline: the run does not wait ten seconds for it.
        var started = Stopwatch.StartNew();
        var dreamer = Fiber.Async(() => Sleepers.Sleep(TimeSpan.FromSeconds(10)));
        Fiber.Yield();
        Fiber.Cancel(dreamer);
        log.Add($"cancelled a 10 s sleeper after {(started.ElapsedMilliseconds < 1000 ? "less than a second" : "too long")}");
        return log;
    }
}

/// <summary>An event source whose only events are deadlines: one per domain, made on the domain's thread.</summary>
internal sealed partial class Sleepers : IEvents
{
    // The source's tables live on its domain's thread: the current domain's source is found through a thread-static.
    [ThreadStatic]
    private static Sleepers? t_current;

    private readonly PriorityQueue<Syscall, long> _byDeadline = new();
    private readonly HashSet<int> _cancelled = [];
    private readonly List<Signal> _ready = [];
    private readonly SemaphoreSlim _interrupt = new(0);

    public Sleepers() => t_current = this;

    /// <summary>The sleep operation: a syscall, registered with its deadline when the suspension is accepted.</summary>
    [Fiber]
    public static void Sleep(TimeSpan duration)
    {
        var source = t_current ?? throw new InvalidOperationException("Run with RunOptions.Events = _ => new Sleepers().");
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var syscall = Fiber.Syscall("sleep");
        Fiber.Suspend(syscall, () => source._byDeadline.Enqueue(syscall, deadline));
    }

    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        foreach (var id in cancelledSyscalls)
        {
            _cancelled.Add(id); // dropped lazily when it reaches the top of the heap
        }

        _ready.Clear();
        while (_byDeadline.TryPeek(out var syscall, out var deadline))
        {
            if (_cancelled.Remove(syscall.Id))
            {
                _byDeadline.Dequeue();
                continue;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (wait <= TimeSpan.Zero)
            {
                _ready.Add(new Signal(_byDeadline.Dequeue()));
                continue;
            }

            if (block && _ready.Count == 0)
            {
                _interrupt.Wait(wait); // until the deadline, or until another thread interrupts
                Drain();
                block = false;
                continue;
            }

            break;
        }

        if (block && _ready.Count == 0 && _byDeadline.Count == 0)
        {
            _interrupt.Wait(); // nothing to wake by time: only an interrupt can change that
            Drain();
        }

        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ready);
    }

    // Level-triggered: a release before the Wait still makes the Wait return at once.
    public void Interrupt() => _interrupt.Release();

    // The finaliser. Interrupt may still be called afterwards, so the semaphore is left alone (it holds no OS handle).
    public void Dispose() => Drain();

    /// <summary>One wake-up is enough: forget the interrupts that piled up meanwhile.</summary>
    private void Drain()
    {
        while (_interrupt.Wait(0))
        {
        }
    }
}
