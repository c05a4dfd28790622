namespace Miou.Unix.EventLoop;

/// <summary>
/// One task waiting for one direction of one descriptor: registered in its domain's <see cref="UnixEventLoop"/> by the
/// registration callback of <see cref="Fiber.SuspendAsync(string, Action{Syscall})"/>, and turned into the
/// <see cref="Signal"/> of its <see cref="Syscall"/> when epoll reports the descriptor ready. A socket keeps one waiter
/// per direction and reuses it (with its cached <see cref="Register"/> delegate) for every wait that does not overlap
/// another on the same direction, and suspends again on the <see cref="Syscall"/> of its previous wait
/// (<see cref="Fiber.SuspendAgainAsync"/>), so a wait allocates nothing of its own.
/// </summary>
internal sealed class Waiter
{
    private int _inUse;

    /// <summary>A waiter claimed for the wait it is created for (<see cref="TryClaim"/>).</summary>
    internal Waiter(int fd, bool write, UnixSocket? socket, bool persistent)
    {
        _inUse = 1;
        Fd = fd;
        Write = write;
        Socket = socket;
        Persistent = persistent && socket is not null;
        Register = syscall =>
        {
            if (!ReferenceEquals(Syscall, syscall))
            {
                Syscall = syscall; // usually the same syscall again: skip the store and its GC write barrier
            }

            Loop!.AddWaiter(this);
        };
    }

    internal int Fd { get; }

    /// <summary>Waits for writability (else readability).</summary>
    internal bool Write { get; }

    /// <summary>The socket waited on; null for a raw descriptor.</summary>
    internal UnixSocket? Socket { get; }

    /// <summary>
    /// The wait follows a would-block of a non-blocking socket, so it may rely on the socket's edge-triggered registration;
    /// otherwise (a raw descriptor, a blocking-mode socket) registering re-arms, which makes the kernel re-check readiness.
    /// </summary>
    internal bool Persistent { get; }

    /// <summary>The registration callback of <see cref="Fiber.SuspendAsync(string, Action{Syscall})"/>: records the syscall and registers this waiter in <see cref="Loop"/>.</summary>
    internal Action<Syscall> Register { get; }

    internal UnixEventLoop? Loop { get; set; }

    /// <summary>The syscall of the current or the last wait, kept for the next wait on the same loop to suspend on again.</summary>
    internal Syscall? Syscall { get; set; }

    /// <summary>Between registration and wake-up (or forgetting).</summary>
    internal bool Registered { get; set; }

    /// <summary>Registered in the loop's list of waiters to resume at the next select (not in a descriptor's list).</summary>
    internal bool ReadyNow { get; set; }

    /// <summary>
    /// Claims the waiter for a wait: false while a wait is in progress with it, on any domain (a concurrent wait on the same
    /// direction then takes a fresh one). An interlocked exchange, since another domain's thread may claim it at the same
    /// time; it also makes the fields the previous wait wrote (<see cref="Loop"/>, <see cref="Syscall"/>) visible.
    /// </summary>
    internal bool TryClaim() => Interlocked.CompareExchange(ref _inUse, 1, 0) == 0;

    /// <summary>Ends the claim, once the wait is over (<see cref="UnixEventLoop.EndWait"/>).</summary>
    internal void Release() => Volatile.Write(ref _inUse, 0);

    /// <summary>The next waiter on the same descriptor and direction.</summary>
    internal Waiter? Next { get; set; }
}

/// <summary>What a loop knows about one descriptor number: its epoll registration and who waits on it.</summary>
internal sealed class FdEntry
{
    /// <summary>In this loop's epoll set (edge-triggered, both directions).</summary>
    internal bool Registered { get; set; }

    /// <summary>The socket the registration was made for: a registration is reused only by the same socket object, since a descriptor number is reused once closed.</summary>
    internal UnixSocket? Socket { get; set; }

    /// <summary>An edge was reported for reading since the last would-block of a reader (the Tokio rule that makes edge-triggered epoll lose nothing).</summary>
    internal bool ReadReady { get; set; }

    /// <summary>The same for writing.</summary>
    internal bool WriteReady { get; set; }

    /// <summary>
    /// epoll reported end of file (<c>EPOLLRDHUP</c>/<c>EPOLLHUP</c>) or an error for this registration: no edge will follow,
    /// so a read may not be skipped on the strength of an earlier short read.
    /// </summary>
    internal bool PeerClosed { get; set; }

    internal Waiter? Readers { get; set; }

    internal Waiter? Writers { get; set; }

    internal bool HasWaiters => Readers is not null || Writers is not null;
}

/// <summary>A task in <see cref="UnixIO.SleepAsync(TimeSpan)"/>: an entry of the loop's min-heap, removed lazily when cancelled.</summary>
internal sealed class Sleeper
{
    internal Sleeper(UnixEventLoop loop, long deadline)
    {
        Loop = loop;
        Deadline = deadline;
    }

    internal UnixEventLoop Loop { get; }

    /// <summary>In <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    internal long Deadline { get; }

    internal Syscall? Syscall { get; set; }

    internal bool Registered { get; set; }

    /// <summary>Its task was cancelled: the heap drops it when it reaches the top (or at the next compaction).</summary>
    internal bool Cancelled { get; set; }

    /// <summary>The registration callback of <see cref="Fiber.SuspendAsync(string, Action{Syscall})"/>.</summary>
    internal void Register(Syscall syscall)
    {
        Syscall = syscall;
        Loop.AddSleeper(this);
    }
}
