using System.Diagnostics;
using System.Runtime.InteropServices;
using Miou.Unix.Interop;

namespace Miou.Unix.EventLoop;

/// <summary>
/// One domain's event source (spec §5, §7.4): an epoll set, an eventfd that lets another thread interrupt a blocked
/// <c>epoll_wait</c>, and a min-heap of sleepers whose earliest deadline bounds the wait. <see cref="UnixRun"/> creates one
/// per domain, on that domain's thread, through <see cref="RunOptions.Events"/>; nothing in it is shared between domains,
/// so nothing is locked (only <see cref="Interrupt"/> is called from other threads).
/// </summary>
/// <remarks>
/// <para><b>epoll rather than poll.</b> The original passes its whole table of slots to <c>poll(2)</c> at every select, so
/// each select costs O(waiting tasks) in the kernel and in the scan of the result; with one select after every
/// scheduling step that cost is paid many times per request. epoll keeps the interest set in the kernel and returns only
/// ready descriptors: a select is O(ready). Measured with the echo benchmark (benchmarks/RESULTS.md).</para>
/// <para><b>Edge-triggered, registered once per socket.</b> A socket enters the set the first time a task waits on it,
/// for both directions with <c>EPOLLET</c>, and stays there until it is closed or its last waiter is cancelled; a
/// wait after a would-block then costs no <c>epoll_ctl</c> at all. Edge-triggering loses nothing because every operation
/// first tries its system call and waits only after <c>EAGAIN</c>, and because an edge that arrives while nobody is
/// registered yet (between the would-block and the registration, other tasks run and the loop is polled) is remembered
/// in <see cref="FdEntry.ReadReady"/>/<see cref="FdEntry.WriteReady"/>, cleared at each would-block. A wait on a raw
/// descriptor (<see cref="UnixIO.WaitReadableAsync(int)"/>) re-arms with <c>EPOLL_CTL_MOD</c>, which makes the kernel
/// re-check readiness, so it needs no prior would-block.</para>
/// <para><b>No would-block read after a short read.</b> A stream read that returns less than it asked for has emptied the
/// receive queue; anything that arrives afterwards raises a new edge. So the next read of that socket waits at once
/// (<see cref="SkipsRead"/>) instead of making a system call that would only say would-block. An echo-style request
/// then costs one read and one send, as in the C epoll server, instead of 1.6–1.8 reads; the measurement is in
/// benchmarks/RESULTS.md (Echo server).</para>
/// <para><b>Polling when not idle.</b> The runtime calls <see cref="Select"/> without blocking after every step while a
/// task is suspended. An <c>epoll_wait</c> per step would cost a system call per scheduling point, so only every
/// <see cref="UnixOptions.PollInterval"/>-th non-blocking select asks the kernel (the others only expire sleepers); when
/// the domain runs out of work the blocking select always asks, and collects every ready descriptor in one call. Waiters
/// known to be ready when they register (their edge came between the would-block and the registration, or their socket
/// was closed) are resumed by the next select, blocking or not, without an <c>epoll_wait</c> of their own: under load
/// that was most of the non-blocking <c>epoll_wait</c>s of the echo benchmark, and half of them found nothing.</para>
/// <para><b>No allocation per wait.</b> A socket keeps one <see cref="Waiter"/> per direction, and the waiter keeps the
/// syscall of its last wait: the next wait suspends on it again with the runtime's public
/// <see cref="Fiber.SuspendAgainAsync"/> (a new wait with a new id, nothing allocated) instead of a new syscall. Measured with
/// samples/Echo (MIOU_ECHO_STATS=1): 176 → 120 bytes allocated per request; what is left is the read's own frame.</para>
/// <para><b>Cancellation.</b> A waiting operation unregisters its waiter or sleeper itself, synchronously, when its
/// suspension ends with an exception (the cancellation is thrown at the suspension point while the runtime processes
/// the cancel). So a cancelled task's syscall has left the tables — and, if nobody else waits on the descriptor, the
/// epoll set — before <c>Fiber.Cancel</c> returns to the parent; the ids the runtime passes later in
/// <c>cancelledSyscalls</c> name registrations that are already gone.</para>
/// </remarks>
public sealed class UnixEventLoop : IEvents
{
    private const int MaxEvents = 256;
    private const ulong InterruptToken = ulong.MaxValue;

    [ThreadStatic]
    private static UnixEventLoop? t_current;

    private readonly UnixEventLoop? _previous;
    private readonly Thread _thread;
    private readonly int _epfd;
    private readonly int _eventFd;
    private readonly int _pollInterval;
    private readonly unsafe byte* _events;
    private readonly PriorityQueue<Sleeper, long> _sleepers = new();
    private readonly List<Waiter> _readyNow = [];
    private FdEntry?[] _fds = new FdEntry?[64];
    private Signal[] _signals = new Signal[64];
    private int _signalCount;
    private int _pollCountdown;
    private int _waiters;
    private int _liveSleepers;
    private int _cancelledSleepers;

    // Interrupt() from other threads: one eventfd write per wake-up cycle, and never a write after the eventfd is closed.
    private int _interruptPending;
    private int _interruptsInFlight;
    private volatile bool _disposed;

    // Sockets this loop's tasks waited on that another thread closed (ClosedElsewhere), for the next select.
    private readonly List<(UnixSocket Socket, int Fd)> _closedElsewhere = [];
    private volatile bool _hasClosedElsewhere;

    /// <summary>Creates the event loop of <paramref name="domain"/>; call on that domain's thread (the runtime does).</summary>
    public unsafe UnixEventLoop(Domain domain, UnixOptions? options = null)
    {
        Domain = domain;
        _thread = Thread.CurrentThread;
        _pollInterval = Math.Max(1, (options ?? UnixOptions.Default).PollInterval);
        _pollCountdown = _pollInterval;
        _epfd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (_epfd < 0)
        {
            throw new UnixException(Libc.Errno, "epoll_create1");
        }

        _eventFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_eventFd < 0 || Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_ADD, _eventFd, Libc.EPOLLIN, InterruptToken) < 0)
        {
            var error = new UnixException(Libc.Errno, _eventFd < 0 ? "eventfd" : "epoll_ctl", "(interrupt eventfd)");
            CloseQuietly(_eventFd);
            CloseQuietly(_epfd);
            throw error;
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Libc.EpollEventSize));
        _previous = t_current;
        t_current = this;
    }

    /// <summary>The domain this loop serves.</summary>
    public Domain Domain { get; }

    /// <summary>How many waits (descriptor waiters and live sleepers) are registered right now; 0 once every task left.</summary>
    public int PendingWaits => _waiters + _liveSleepers;

    /// <summary>How many descriptors are in the epoll set right now (the interrupt eventfd not counted).</summary>
    public int WatchedDescriptors { get; private set; }

    /// <summary>How many times a select asked the kernel (<c>epoll_wait</c>), blocking or not (for tests).</summary>
    internal long KernelPolls { get; private set; }

    /// <summary>The event loop of the calling thread's domain.</summary>
    /// <exception cref="InvalidOperationException">The calling task does not run under <see cref="UnixRun"/>.</exception>
    public static UnixEventLoop Current => t_current ?? throw new InvalidOperationException(
        "This Miou.Unix operation needs the Miou.Unix event loop on the current domain: start the program with UnixRun.Run " +
        "(or set RunOptions.Events to UnixRun.Events) instead of Fiber.Run.");

    internal static UnixEventLoop? CurrentOrNull => t_current;

    /// <inheritdoc/>
    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        // cancelledSyscalls: already forgotten by the operations themselves (see the remarks), nothing left to do.
        _signalCount = 0;
        if (block || --_pollCountdown <= 0)
        {
            _pollCountdown = _pollInterval;
            Dispatch(PollKernel(block && _readyNow.Count == 0 ? TimeoutToNextSleeper() : 0));
        }

        if (_hasClosedElsewhere)
        {
            TakeClosedElsewhere();
        }

        if (_readyNow.Count > 0)
        {
            FlushReadyNow(); // known ready without asking the kernel: no epoll_wait of their own (see the remarks)
        }

        if (_sleepers.Count > 0)
        {
            ExpireSleepers();
        }

        return new ReadOnlySpan<Signal>(_signals, 0, _signalCount);
    }

    /// <summary>
    /// One <c>epoll_wait</c>: how many events it put in the buffer (0 if interrupted by a signal). Out of line: a method with
    /// an inlined P/Invoke sets up its transition frame in its prologue (a runtime helper and a thread-local lookup) on
    /// every call, and <see cref="Select"/> runs after every scheduling step while only every
    /// <see cref="UnixOptions.PollInterval"/>-th non-blocking one asks the kernel.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private unsafe int PollKernel(int timeout)
    {
        KernelPolls++;
        var n = Libc.epoll_wait(_epfd, _events, MaxEvents, timeout);
        if (n < 0)
        {
            var errno = Libc.SystemErrno;
            if (errno != Errno.EINTR)
            {
                throw new UnixException(errno, "epoll_wait");
            }

            n = 0;
        }

        return n;
    }

    /// <inheritdoc/>
    public unsafe void Interrupt()
    {
        if (Interlocked.Exchange(ref _interruptPending, 1) != 0)
        {
            return; // a wake-up is already on its way (level-triggered: it stays until the loop drains it)
        }

        Interlocked.Increment(ref _interruptsInFlight);
        try
        {
            if (!_disposed)
            {
                ulong one = 1;
                _ = Libc.write(_eventFd, (byte*)&one, sizeof(ulong)); // EAGAIN only if the counter is saturated: still readable
            }
        }
        finally
        {
            Interlocked.Decrement(ref _interruptsInFlight);
        }
    }

    /// <summary>The finaliser (spec §5.4): closes the epoll set and the eventfd.</summary>
    public unsafe void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // A full fence between the store above and the load below (Dekker): a volatile store followed by a volatile load
        // may be reordered (x86 store buffer), and Interrupt would then read _disposed false while this reads no write in
        // flight, and write into a closed eventfd, or into whatever file got its number in between.
        Interlocked.MemoryBarrier();
        var spin = new SpinWait();
        while (Volatile.Read(ref _interruptsInFlight) != 0)
        {
            spin.SpinOnce(); // an Interrupt is between its check and its write: let it finish before the number is reused
        }

        CloseQuietly(_eventFd);
        CloseQuietly(_epfd);
        NativeMemory.Free(_events);
        if (ReferenceEquals(Thread.CurrentThread, _thread) && ReferenceEquals(t_current, this))
        {
            t_current = _previous;
        }
    }

    // ------------------------------------------------------------------ waiting on descriptors

    /// <summary>
    /// Suspends the calling task until <paramref name="waiter"/>'s descriptor is ready in its direction. Call right after
    /// the operation's system call said would-block, with no scheduling point in between. The hot path
    /// (<see cref="UnixSocket.ReadAsync"/>) makes the same three calls itself, <see cref="BeginWait"/>, the suspension and
    /// <see cref="EndWait"/>, so that a read that waits costs no frame of its own.
    /// </summary>
    internal async Fiber WaitAsync(Waiter waiter, string name)
    {
        BeginWait(waiter);
        try
        {
            await Suspend(waiter, name); // one scheduling point, then the wait
        }
        finally
        {
            EndWait(waiter);
        }
    }

    /// <summary>
    /// The suspension of a wait: on the syscall of the waiter's previous wait if it had one on this loop under the same
    /// name (<see cref="Fiber.SuspendAgainAsync"/>: a new wait, nothing allocated), else on a new one. Either is one
    /// scheduling point before <see cref="Waiter.Register"/> runs. Call between <see cref="BeginWait"/> and <see cref="EndWait"/>.
    /// </summary>
    internal static SuspendAwaitable Suspend(Waiter waiter, string name) =>
        waiter.Syscall is { } previous && ReferenceEquals(previous.Name, name)
            ? Fiber.SuspendAgainAsync(previous, waiter.Register)
            : Fiber.SuspendAsync(name, waiter.Register);

    /// <summary>The first part of a wait, with a waiter claimed for it (new, or <see cref="Waiter.TryClaim"/>): the would-block just seen consumed the remembered edge.</summary>
    internal void BeginWait(Waiter waiter)
    {
        // No entry yet: no edge remembered. The table grows only for a descriptor epoll accepted (AddWaiter), so a number
        // that is not open (a raw wait's) is EBADF, not a table as large as the number.
        if (Lookup(waiter.Fd) is { } entry)
        {
            if (waiter.Write)
            {
                entry.WriteReady = false;
            }
            else
            {
                entry.ReadReady = false;
            }
        }

        if (!ReferenceEquals(waiter.Loop, this))
        {
            waiter.Loop = this;
            waiter.Syscall = null; // a syscall belongs to its domain: one from another loop is not suspended on again here
        }
    }

    /// <summary>
    /// The last part of a wait, however the suspension ended. A waiter still registered was not resumed by its signal: its
    /// task was cancelled (or failed) while waiting, so it leaves the tables and the epoll set now.
    /// </summary>
    internal void EndWait(Waiter waiter)
    {
        Forget(waiter);
        waiter.Release(); // its syscall stays, for the next wait to suspend on again
    }

    /// <summary>
    /// True, and counted in <see cref="SkippedReads"/>, when a read of <paramref name="socket"/> may wait at once: the socket
    /// is in this loop's epoll set (edge-triggered), no read edge has been seen since its receive queue was last found
    /// empty (by a would-block, or by a read that returned less than it asked for: <see cref="ReadDrained"/>), and no end
    /// of file or error has been reported for it. Data that arrives later raises a new edge, which wakes the reader at the
    /// loop's next epoll_wait, so a read that would only say would-block is not worth its system call. End of file is
    /// different: once reported, no further edge comes, and a read after a short read returns 0 rather than would-block,
    /// so a socket whose peer has closed always reads.
    /// </summary>
    internal bool SkipsRead(UnixSocket socket)
    {
        if (ArmedFor(socket) is { ReadReady: false, PeerClosed: false })
        {
            SkippedReads++;
            return true;
        }

        return false;
    }

    /// <summary>How many reads waited at once, without a would-block read, because <see cref="SkipsRead"/> said so (for tests).</summary>
    internal long SkippedReads { get; private set; }

    /// <summary>A read of <paramref name="socket"/> returned less than it asked for: its receive queue was empty just then.</summary>
    internal void ReadDrained(UnixSocket socket)
    {
        if (ArmedFor(socket) is { } entry)
        {
            entry.ReadReady = false;
        }
    }

    /// <summary>The entry of <paramref name="socket"/>'s descriptor if it is in the epoll set for this very socket object.</summary>
    private FdEntry? ArmedFor(UnixSocket socket)
    {
        var fd = socket.Handle;
        return (uint)fd < (uint)_fds.Length && _fds[fd] is { Registered: true } entry && ReferenceEquals(entry.Socket, socket) ? entry : null;
    }

    /// <summary>The <c>onSuspend</c> of a descriptor wait: arm the descriptor if needed and link the waiter.</summary>
    internal void AddWaiter(Waiter waiter)
    {
        if (waiter.Socket is { } socket)
        {
            socket.WaitsIn(this); // first: a close from now on tells this loop (ClosedElsewhere), an earlier one is seen below
            if (socket.IsClosed)
            {
                AddReadyNow(waiter); // closed since the would-block: resume, and the retry reports it closed
                return;
            }
        }

        var known = Lookup(waiter.Fd);
        var entry = known ?? new FdEntry();
        if (!Arm(entry, waiter.Fd, waiter.Persistent ? waiter.Socket : null, waiter.Socket))
        {
            // A regular file or the like: epoll cannot watch it, and it never blocks. Or the socket was closed on
            // another thread since the check above: resume, and the retry reports it closed.
            AddReadyNow(waiter);
            return;
        }

        if (known is null)
        {
            Store(waiter.Fd, entry); // only now: epoll_ctl has thrown for a number that is not open
        }

        if (waiter.Write ? entry.WriteReady : entry.ReadReady)
        {
            AddReadyNow(waiter); // the edge came between the would-block and now
            return;
        }

        // A waiter in no list has a null Next (every removal clears it), so it is stored only when there is a list to
        // join: most descriptors have one waiter per direction, and the store would cost a GC write barrier.
        Debug.Assert(waiter.Next is null, "a waiter joins a list with no stale link");
        if (waiter.Write)
        {
            if (entry.Writers is { } writers)
            {
                waiter.Next = writers;
            }

            entry.Writers = waiter;
        }
        else
        {
            if (entry.Readers is { } readers)
            {
                waiter.Next = readers;
            }

            entry.Readers = waiter;
        }

        waiter.Registered = true;
        _waiters++;
    }

    private void AddReadyNow(Waiter waiter)
    {
        waiter.ReadyNow = true;
        waiter.Registered = true;
        _readyNow.Add(waiter);
        _waiters++;
    }

    /// <summary>
    /// Puts the descriptor in the epoll set if it is not already there for this socket; false if epoll refuses it (EPERM)
    /// or <paramref name="owner"/>, the socket waited on (null for a raw descriptor), is closed. The epoll_ctl counts as
    /// a call in flight on <paramref name="owner"/>: a close on another thread cannot free the number under it, so it
    /// never registers a file that reused the number.
    /// </summary>
    private bool Arm(FdEntry entry, int fd, UnixSocket? socket, UnixSocket? owner)
    {
        if (entry.Registered && socket is not null && ReferenceEquals(entry.Socket, socket))
        {
            return true; // registered for both directions, edge-triggered: nothing to do
        }

        if (owner is null)
        {
            return Arm(entry, fd, socket);
        }

        if (!owner.TryEnter())
        {
            return false;
        }

        try
        {
            return Arm(entry, fd, socket);
        }
        finally
        {
            owner.Leave();
        }
    }

    /// <summary>The epoll_ctl of <see cref="Arm(FdEntry, int, UnixSocket?, UnixSocket?)"/>.</summary>
    private bool Arm(FdEntry entry, int fd, UnixSocket? socket)
    {

        const uint mask = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
        var op = entry.Registered ? Libc.EPOLL_CTL_MOD : Libc.EPOLL_CTL_ADD;
        var rc = Libc.EpollCtl(_epfd, op, fd, mask, (ulong)fd);
        if (rc < 0)
        {
            var errno = Libc.Errno;
            // The number was registered for a socket since closed (the kernel dropped it), or is already there for a
            // raw wait or another socket object on the same file: try the other operation once.
            var other = errno switch
            {
                Errno.ENOENT when op == Libc.EPOLL_CTL_MOD => Libc.EPOLL_CTL_ADD,
                Errno.EEXIST when op == Libc.EPOLL_CTL_ADD => Libc.EPOLL_CTL_MOD,
                _ => 0,
            };
            if (other != 0 && Libc.EpollCtl(_epfd, other, fd, mask, (ulong)fd) == 0)
            {
                rc = 0;
            }
            else if (errno == Errno.EPERM)
            {
                return false;
            }
            else
            {
                throw new UnixException(other != 0 ? Libc.Errno : errno, "epoll_ctl", $"(descriptor {fd})");
            }
        }

        if (!entry.Registered)
        {
            WatchedDescriptors++;
        }

        entry.Registered = true;
        entry.Socket = socket;
        entry.PeerClosed = false;
        return true;
    }

    /// <summary>Unregisters a waiter whose wait ended otherwise than by its signal; harmless if it is not registered.</summary>
    internal void Forget(Waiter waiter)
    {
        if (!waiter.Registered)
        {
            return;
        }

        waiter.Registered = false;
        _waiters--;
        if (waiter.ReadyNow)
        {
            waiter.ReadyNow = false;
            _readyNow.Remove(waiter);
            return;
        }

        var entry = Lookup(waiter.Fd)!; // a waiter in a descriptor's list: its entry exists
        if (waiter.Write)
        {
            entry.Writers = Unlink(entry.Writers, waiter);
        }
        else
        {
            entry.Readers = Unlink(entry.Readers, waiter);
        }

        if (!entry.HasWaiters)
        {
            Disarm(entry, waiter.Fd);
        }
    }

    private static Waiter? Unlink(Waiter? list, Waiter waiter)
    {
        if (ReferenceEquals(list, waiter))
        {
            var next = waiter.Next;
            waiter.Next = null;
            return next;
        }

        for (var w = list; w is not null; w = w.Next)
        {
            if (ReferenceEquals(w.Next, waiter))
            {
                w.Next = waiter.Next;
                waiter.Next = null;
                break;
            }
        }

        return list;
    }

    private void Disarm(FdEntry entry, int fd)
    {
        if (!entry.Registered)
        {
            return;
        }

        // ENOENT/EBADF: the descriptor was closed meanwhile and the kernel already dropped it; either way it is out.
        _ = Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_DEL, fd, 0, 0);
        entry.Registered = false;
        entry.Socket = null;
        entry.PeerClosed = false;
        WatchedDescriptors--;
    }

    /// <summary>
    /// A socket of this domain is being closed: take it out of the epoll set and resume whoever waits on it (they retry
    /// and find the socket closed) — closing a descriptor never leaves a task waiting forever.
    /// </summary>
    internal void Closing(int fd)
    {
        if ((uint)fd >= (uint)_fds.Length || _fds[fd] is not { } entry)
        {
            return;
        }

        MoveToReadyNow(entry.Readers);
        MoveToReadyNow(entry.Writers);
        entry.Readers = entry.Writers = null;
        entry.ReadReady = entry.WriteReady = false;
        Disarm(entry, fd);
    }

    /// <summary>
    /// <paramref name="socket"/>, whose descriptor was <paramref name="fd"/>, was closed on another thread (a task or a
    /// finaliser of another domain) while tasks of this loop may wait on it. The kernel dropped it from this epoll set
    /// without an event (epoll has no <c>POLLNVAL</c>), so without this they would wait forever. Any thread; the loop
    /// resumes them at its next select, and they find the socket closed.
    /// </summary>
    internal void ClosedElsewhere(UnixSocket socket, int fd)
    {
        lock (_closedElsewhere)
        {
            _closedElsewhere.Add((socket, fd));
            _hasClosedElsewhere = true;
        }

        Interrupt();
    }

    private void TakeClosedElsewhere()
    {
        (UnixSocket Socket, int Fd)[] closed;
        lock (_closedElsewhere)
        {
            closed = [.. _closedElsewhere];
            _closedElsewhere.Clear();
            _hasClosedElsewhere = false;
        }

        foreach (var (socket, fd) in closed)
        {
            if (Lookup(fd) is not { } entry)
            {
                continue;
            }

            if (ReferenceEquals(entry.Socket, socket))
            {
                Closing(fd); // its registration: what a close on this domain does
                continue;
            }

            // The number is registered otherwise here (a raw wait, a blocking-mode socket, or a socket that reused the
            // number since): resume only the waiters of the closed socket.
            entry.Readers = MoveToReadyNow(entry.Readers, socket);
            entry.Writers = MoveToReadyNow(entry.Writers, socket);
            if (entry.Socket is null && !entry.HasWaiters)
            {
                Disarm(entry, fd);
            }
        }
    }

    /// <summary>Moves the waiters of <paramref name="socket"/> from <paramref name="list"/> to the ready list; returns what is left.</summary>
    private Waiter? MoveToReadyNow(Waiter? list, UnixSocket socket)
    {
        Waiter? kept = null;
        while (list is not null)
        {
            var next = list.Next;
            list.Next = null;
            if (ReferenceEquals(list.Socket, socket))
            {
                list.ReadyNow = true; // still registered and counted: it now waits in the ready list
                _readyNow.Add(list);
            }
            else
            {
                list.Next = kept;
                kept = list;
            }

            list = next;
        }

        return kept;
    }

    private void MoveToReadyNow(Waiter? list)
    {
        while (list is not null)
        {
            var next = list.Next;
            list.Next = null;
            list.ReadyNow = true; // still registered and counted: it now waits in the ready list
            _readyNow.Add(list);
            list = next;
        }
    }

    private FdEntry? Lookup(int fd) => (uint)fd < (uint)_fds.Length ? _fds[fd] : null;

    /// <summary>Records the entry of a descriptor epoll accepted (so an open one: the table stays below the process's limit).</summary>
    private void Store(int fd, FdEntry entry)
    {
        if ((uint)fd >= (uint)_fds.Length)
        {
            Array.Resize(ref _fds, Math.Max(fd + 1, _fds.Length * 2));
        }

        _fds[fd] = entry;
    }

    // ------------------------------------------------------------------ select

    private unsafe void Dispatch(int n)
    {
        var stride = Libc.EpollEventSize;
        var dataOffset = Libc.EpollDataOffset;
        for (var i = 0; i < n; i++)
        {
            var ev = _events + i * stride;
            var events = *(uint*)ev;
            var data = *(ulong*)(ev + dataOffset);
            if (data == InterruptToken)
            {
                DrainInterrupt();
                continue;
            }

            var fd = (int)data;
            if ((uint)fd >= (uint)_fds.Length || _fds[fd] is not { } entry)
            {
                continue;
            }

            const uint error = Libc.EPOLLERR | Libc.EPOLLHUP;
            if ((events & (Libc.EPOLLRDHUP | error)) != 0)
            {
                entry.PeerClosed = true; // no edge will follow end of file or an error: reads must ask the kernel from now on
            }

            if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | error)) != 0)
            {
                entry.ReadReady = true;
                if (entry.Readers is { } readers)
                {
                    WakeAll(readers);
                    entry.Readers = null; // stored only when there was a list: a store of null needs no GC write barrier
                }
            }

            // Errors wake writers too: a refused non-blocking connect waits for writability (U5). Most EPOLLOUT edges of
            // a busy socket (its sent data acknowledged) find no writer.
            if ((events & (Libc.EPOLLOUT | error)) != 0)
            {
                entry.WriteReady = true;
                if (entry.Writers is { } writers)
                {
                    WakeAll(writers);
                    entry.Writers = null;
                }
            }

            if (entry.Socket is null && !entry.HasWaiters)
            {
                Disarm(entry, fd); // a raw descriptor is watched only while someone waits on it: it may be closed behind our back
            }
        }
    }

    private void WakeAll(Waiter? list)
    {
        while (list is not null)
        {
            var next = list.Next;
            if (next is not null)
            {
                list.Next = null; // most lists have one waiter, whose Next is already null: no store, no write barrier
            }

            list.Registered = false;
            _waiters--;
            Emit(list.Syscall!);
            list = next;
        }
    }

    /// <summary>
    /// The interrupt eventfd was readable: reset it. Out of line, because a method with an inlined P/Invoke sets up its
    /// transition frame in its prologue (a runtime helper and a thread-local lookup) on every call, and
    /// <see cref="Dispatch"/> runs at every epoll_wait while an interrupt is rare.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private unsafe void DrainInterrupt()
    {
        ulong drained;
        _ = Libc.read(_eventFd, (byte*)&drained, sizeof(ulong)); // EAGAIN: drained already, fine
        // Then, not before: an Interrupt between a reset and the read would have its write read here and leave the flag
        // set with the eventfd empty, and every later Interrupt would skip its write. One between the read and this
        // reset writes nothing, which loses nothing: what it announces was posted before it, and the domain looks at its
        // posts after this select. The exchange (not a plain store) reads that Interrupt's exchange, so its post is seen.
        Interlocked.Exchange(ref _interruptPending, 0);
    }

    private void FlushReadyNow()
    {
        foreach (var waiter in _readyNow)
        {
            waiter.ReadyNow = false;
            waiter.Registered = false;
            _waiters--;
            Emit(waiter.Syscall!);
        }

        _readyNow.Clear();
    }

    private void Emit(Syscall syscall)
    {
        if (_signalCount == _signals.Length)
        {
            Array.Resize(ref _signals, _signals.Length * 2);
        }

        _signals[_signalCount++] = new Signal(syscall);
    }

    // ------------------------------------------------------------------ sleepers

    /// <summary>Suspends the calling task until <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal async Fiber SleepUntilAsync(long deadline)
    {
        var sleeper = new Sleeper(this, deadline);
        try
        {
            await Fiber.SuspendAsync("sleep", sleeper.Register);
        }
        catch
        {
            ForgetSleeper(sleeper);
            throw;
        }
    }

    internal void AddSleeper(Sleeper sleeper)
    {
        _sleepers.Enqueue(sleeper, sleeper.Deadline);
        sleeper.Registered = true;
        _liveSleepers++;
    }

    private void ForgetSleeper(Sleeper sleeper)
    {
        if (!sleeper.Registered)
        {
            return;
        }

        sleeper.Registered = false;
        sleeper.Cancelled = true;
        _liveSleepers--;
        if (++_cancelledSleepers > 64 && _cancelledSleepers > 2 * _liveSleepers)
        {
            CompactSleepers(); // many lost timeouts with far deadlines: do not let them pile up in the heap
        }
    }

    private void CompactSleepers()
    {
        var live = new List<(Sleeper, long)>(_liveSleepers);
        foreach (var (sleeper, deadline) in _sleepers.UnorderedItems)
        {
            if (!sleeper.Cancelled)
            {
                live.Add((sleeper, deadline));
            }
        }

        _sleepers.Clear();
        _sleepers.EnqueueRange(live);
        _cancelledSleepers = 0;
    }

    private void ExpireSleepers()
    {
        var now = Stopwatch.GetTimestamp();
        while (_sleepers.TryPeek(out var sleeper, out var deadline))
        {
            if (sleeper.Cancelled)
            {
                _sleepers.Dequeue();
                _cancelledSleepers--;
                continue;
            }

            if (deadline > now)
            {
                break;
            }

            _sleepers.Dequeue();
            sleeper.Registered = false;
            _liveSleepers--;
            Emit(sleeper.Syscall!);
        }
    }

    /// <summary>Milliseconds until the earliest live deadline, rounded up (epoll_wait's resolution); -1 if none.</summary>
    private int TimeoutToNextSleeper()
    {
        while (_sleepers.TryPeek(out var sleeper, out var deadline))
        {
            if (!sleeper.Cancelled)
            {
                var ticks = deadline - Stopwatch.GetTimestamp();
                if (ticks <= 0)
                {
                    return 0;
                }

                // Whole seconds apart from the rest: ticks * 1000 overflows from 2^64 / 1000 ticks (213 days at 1 GHz).
                var frequency = Stopwatch.Frequency;
                var ms = ticks / frequency * 1000 + (ticks % frequency * 1000 + frequency - 1) / frequency;
                return (int)Math.Min(ms, int.MaxValue);
            }

            _sleepers.Dequeue();
            _cancelledSleepers--;
        }

        return -1;
    }

    private static void CloseQuietly(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.close(fd); // only on teardown paths, where the error would hide the real one
        }
    }
}
