using System.Net;
using System.Net.Sockets;
using Miou.Unix.EventLoop;
using Miou.Unix.Interop;

namespace Miou.Unix;

/// <summary>
/// A descriptor — socket, or pipe/tty with <see cref="SocketKind.Unknown"/> — driven by the Miou.Unix event loop of the
/// calling task's domain (spec §7). Every descriptor is an owned resource (<see cref="Resource"/>): the task that creates
/// or accepts it owns it, a task that fails or is cancelled closes what it owns, and one that returns normally while
/// still owning one stops the run with <see cref="ResourceLeakedException"/>. Hand a socket to a child with
/// <c>give: [socket.Resource]</c>, close it with <see cref="CloseAsync"/>.
/// </summary>
/// <remarks>
/// Operations do not check ownership (unlike the original's <c>Miou_unix.Ownership</c>, which spends a scheduling point
/// on every read and write for it): ownership here decides who closes a descriptor, not who may use it, so a child can
/// read a socket its parent owns — which is what a timeout (<see cref="UnixIO.WithTimeoutAsync{T}(TimeSpan, Func{Fiber{T}})"/>)
/// needs. <see cref="CloseAsync"/> does require ownership. Non-blocking operations try their system call first and
/// suspend only on would-block, which throws nothing; a successful call is not a scheduling point.
/// </remarks>
public sealed partial class UnixSocket
{
    private const int ClosedBit = int.MinValue;

    private readonly Resource<UnixSocket> _resource;
    private readonly int _fd;

    // The calls in flight on the descriptor (the low bits) and ClosedBit, set once by the close. The number is closed
    // (close(2)) only when both hold: closed, and no call in flight — by the close itself, or else by the last call to
    // leave (Leave). Until then no other file can take the number, so a call that read it before the close and makes
    // its system call after it still reaches this file, never one opened meanwhile (what SafeHandle does for .NET's
    // own handles). A call that starts after the close fails with ObjectDisposedException (Enter).
    private int _state;
    private Waiter? _reader;
    private Waiter? _writer;

    // The event loops tasks waited on this socket in (usually one), to tell when it is closed on another thread.
    private UnixEventLoop? _loop;
    private UnixEventLoop[]? _otherLoops;

    private UnixSocket(int fd, SocketKind kind, bool nonBlocking, EndPoint? remote = null)
    {
        _fd = fd;
        Kind = kind;
        IsNonBlocking = nonBlocking;
        RemoteEndPoint = remote;
        _resource = Ownership.Create(this, static socket => socket.CloseDescriptor());
    }

    /// <summary>Stream, datagram, or not a socket.</summary>
    public SocketKind Kind { get; }

    /// <summary>Whether the descriptor is in non-blocking mode (every socket Miou.Unix creates is).</summary>
    public bool IsNonBlocking { get; }

    /// <summary>The owned resource: pass it in <c>give</c> to hand the socket to a child, or transfer it to the parent.</summary>
    public Resource Resource => _resource;

    /// <summary>
    /// Whether the descriptor was closed (by <see cref="CloseAsync"/> or by its owner's finaliser). The number itself is
    /// released when the last system call in flight on it, on another thread, returns.
    /// </summary>
    public bool IsClosed => Volatile.Read(ref _state) < 0;

    /// <summary>The descriptor number.</summary>
    /// <remarks>
    /// A call made with it outside this class is not counted in flight: if another thread closes the socket meanwhile,
    /// the number may already name another file. The operations of this class are safe from that.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public int Handle => IsClosed ? throw ClosedError() : _fd;

    /// <summary>The peer's address for an accepted socket (null if unnamed or not accepted).</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <inheritdoc/>
    public override string ToString() => IsClosed ? $"{Kind} socket (closed)" : $"{Kind} socket #{_fd}";

    // ------------------------------------------------------------------ creation (the caller owns the result)

    /// <summary>A TCP/IPv4 socket owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(TcpV4Async))]
    public static UnixSocket TcpV4() => throw DirectStyleStub.NotInFiber("UnixSocket.TcpV4");

    /// <summary>A non-blocking TCP/IPv4 socket, owned by the calling task. One scheduling point.</summary>
    public static Fiber<UnixSocket> TcpV4Async() => OpenAsync(Libc.AF_INET, Libc.SOCK_STREAM);

    /// <summary>A TCP/IPv6 socket owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(TcpV6Async))]
    public static UnixSocket TcpV6() => throw DirectStyleStub.NotInFiber("UnixSocket.TcpV6");

    /// <summary>A non-blocking TCP/IPv6 socket, owned by the calling task. One scheduling point.</summary>
    public static Fiber<UnixSocket> TcpV6Async() => OpenAsync(Libc.AF_INET6, Libc.SOCK_STREAM);

    /// <summary>A UDP/IPv4 socket owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(UdpV4Async))]
    public static UnixSocket UdpV4() => throw DirectStyleStub.NotInFiber("UnixSocket.UdpV4");

    /// <summary>A non-blocking UDP/IPv4 socket, owned by the calling task. One scheduling point.</summary>
    public static Fiber<UnixSocket> UdpV4Async() => OpenAsync(Libc.AF_INET, Libc.SOCK_DGRAM);

    /// <summary>A UDP/IPv6 socket owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(UdpV6Async))]
    public static UnixSocket UdpV6() => throw DirectStyleStub.NotInFiber("UnixSocket.UdpV6");

    /// <summary>A non-blocking UDP/IPv6 socket, owned by the calling task. One scheduling point.</summary>
    public static Fiber<UnixSocket> UdpV6Async() => OpenAsync(Libc.AF_INET6, Libc.SOCK_DGRAM);

    /// <summary>A Unix-domain stream socket owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(UnixStreamAsync))]
    public static UnixSocket UnixStream() => throw DirectStyleStub.NotInFiber("UnixSocket.UnixStream");

    /// <summary>A non-blocking Unix-domain stream socket (<c>PF_UNIX</c>), owned by the calling task. One scheduling point.</summary>
    public static Fiber<UnixSocket> UnixStreamAsync() => OpenAsync(Libc.AF_UNIX, Libc.SOCK_STREAM);

    /// <summary>Adopts a descriptor created elsewhere, owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(FromDescriptorAsync))]
    public static UnixSocket FromDescriptor(int fd, bool nonBlocking = true) => throw DirectStyleStub.NotInFiber("UnixSocket.FromDescriptor");

    /// <summary>
    /// Adopts <paramref name="fd"/> (a socket, pipe, tty…), which from now on the calling task owns: it sets or clears
    /// <c>O_NONBLOCK</c> as asked and finds the kind with <c>SO_TYPE</c> (a descriptor that is not a socket is
    /// <see cref="SocketKind.Unknown"/>: read and write only). One scheduling point.
    /// </summary>
    /// <exception cref="ArgumentException">A socket that is neither stream nor datagram.</exception>
    /// <exception cref="UnixException">fcntl failed (EBADF: <paramref name="fd"/> is not open).</exception>
    public static async Fiber<UnixSocket> FromDescriptorAsync(int fd, bool nonBlocking = true)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0)
        {
            throw new UnixException(Libc.Errno, "fcntl", $"(descriptor {fd})");
        }

        // The kind first: a refused descriptor stays the caller's, as it was given.
        var kind = Libc.GetIntOption(fd, Libc.SOL_SOCKET, Libc.SO_TYPE, out var type) < 0 ? SocketKind.Unknown : type switch
        {
            Libc.SOCK_STREAM => SocketKind.Stream,
            Libc.SOCK_DGRAM => SocketKind.Datagram,
            _ => throw new ArgumentException($"UnixSocket.FromDescriptor: invalid file-descr {fd} (neither stream nor datagram socket, SO_TYPE {type}).", nameof(fd)),
        };
        var wanted = nonBlocking ? flags | Libc.O_NONBLOCK : flags & ~Libc.O_NONBLOCK;
        if (wanted != flags && Libc.fcntl(fd, Libc.F_SETFL, wanted) < 0)
        {
            throw new UnixException(Libc.Errno, "fcntl", $"(descriptor {fd})");
        }

        return await OwnNewAsync(new UnixSocket(fd, kind, nonBlocking));
    }

    private static async Fiber<UnixSocket> OpenAsync(int domain, int type)
    {
        var fd = Libc.socket(domain, type | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new UnixException(Libc.Errno, "socket");
        }

        return await OwnNewAsync(new UnixSocket(fd, type == Libc.SOCK_DGRAM ? SocketKind.Datagram : SocketKind.Stream, nonBlocking: true));
    }

    /// <summary>The calling task owns the new socket; if it is cancelled at that scheduling point, the descriptor is closed.</summary>
    private static async Fiber<UnixSocket> OwnNewAsync(UnixSocket socket)
    {
        try
        {
            await Ownership.OwnAsync(socket._resource);
        }
        catch
        {
            socket.CloseDescriptor(); // not owned yet (OwnAsync throws only before it attaches): nobody else would close it
            throw;
        }

        return socket;
    }

    // ------------------------------------------------------------------ closing

    /// <summary>Gives up ownership and closes the descriptor (direct style).</summary>
    [DirectStyle(nameof(CloseAsync))]
    public void Close() => throw DirectStyleStub.NotInFiber("UnixSocket.Close");

    /// <summary>
    /// Gives up the calling task's ownership (one scheduling point: if the task is cancelled there, its finaliser closes
    /// the socket instead), then closes the descriptor. Tasks waiting on it, on any domain, are resumed and fail with
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <exception cref="NotOwnerException">The calling task does not own the socket.</exception>
    public async Fiber CloseAsync()
    {
        await Ownership.DisownAsync(_resource);
        CloseDescriptor();
    }

    /// <summary>The finaliser: closes once, whoever calls. The number itself is closed now or, if a call is in flight on it, when the last one leaves.</summary>
    private void CloseDescriptor()
    {
        var before = Interlocked.Or(ref _state, ClosedBit);
        if (before < 0)
        {
            return;
        }

        var fd = _fd;
        var current = UnixEventLoop.CurrentOrNull;
        current?.Closing(fd);
        if (before == 0)
        {
            _ = Libc.close(fd); // Linux frees the number even when close reports an error: nothing to retry
        }

        // Other domains' loops where tasks waited on it: the kernel drops it from their epoll sets without a word.
        // (The interlocked Or above is a full fence, so a loop that noted itself before it is read here; see WaitsIn.)
        if (Volatile.Read(ref _loop) is { } first && !ReferenceEquals(first, current))
        {
            first.ClosedElsewhere(this, fd);
        }

        foreach (var loop in Volatile.Read(ref _otherLoops) ?? [])
        {
            if (!ReferenceEquals(loop, current))
            {
                loop.ClosedElsewhere(this, fd);
            }
        }
    }

    private static ObjectDisposedException ClosedError() => new(nameof(UnixSocket), "The socket is closed.");

    /// <summary>
    /// Counts a call in flight on the descriptor and returns false if the socket is closed. The caller makes its system
    /// call on <see cref="_fd"/>, reads errno, then calls <see cref="Leave"/> (in a finally): until then the number stays
    /// open. Uncontended, one read and one interlocked compare-exchange.
    /// </summary>
    internal bool TryEnter()
    {
        var state = Volatile.Read(ref _state);
        while (state >= 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary><see cref="TryEnter"/>, or <see cref="ObjectDisposedException"/> if the socket is closed; the descriptor number.</summary>
    private int Enter() => TryEnter() ? _fd : throw ClosedError();

    /// <summary>
    /// The call counted by <see cref="TryEnter"/> is over: the last one to leave a closed socket closes the number. Read
    /// errno before (close sets it).
    /// </summary>
    internal void Leave()
    {
        if (Interlocked.Decrement(ref _state) == ClosedBit)
        {
            _ = Libc.close(_fd); // the close left it to the last call in flight (CloseDescriptor)
        }
    }

    /// <summary>
    /// A task of <paramref name="loop"/> waits on this socket: a close on another thread will tell the loop. Called by the
    /// loop before it checks <see cref="IsClosed"/>: a loop noted after the close's interlocked Or of the state sees it
    /// closed, one noted before is told (interlocked operations are totally ordered).
    /// </summary>
    internal void WaitsIn(UnixEventLoop loop)
    {
        if (ReferenceEquals(_loop, loop) || Interlocked.CompareExchange(ref _loop, loop, null) is null)
        {
            return; // the usual case: every wait in the same loop
        }

        while (true)
        {
            var others = Volatile.Read(ref _otherLoops);
            if (others is not null && Array.IndexOf(others, loop) >= 0)
            {
                return;
            }

            UnixEventLoop[] grown = others is null ? [loop] : [.. others, loop];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _otherLoops, grown, others), others))
            {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ setup (no suspension)

    /// <summary>
    /// Sets <c>SO_REUSEADDR</c>/<c>SO_REUSEPORT</c>, binds to <paramref name="endPoint"/> and, for a stream socket,
    /// listens with <paramref name="backlog"/>. A datagram socket is only bound (so UDP servers share the entry point).
    /// Not a scheduling point.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is null.</exception>
    /// <exception cref="ArgumentException">An endpoint of another kind than IPv4, IPv6 or Unix-domain.</exception>
    /// <exception cref="UnixException">setsockopt, bind or listen failed (for example EADDRINUSE).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public void BindAndListen(EndPoint endPoint, int backlog = 64, bool reuseAddress = true, bool reusePort = true)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var fd = Enter();
        try
        {
            if (endPoint is not UnixDomainSocketEndPoint)
            {
                SetOption(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, reuseAddress ? 1 : 0, "SO_REUSEADDR");
                SetOption(fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, reusePort ? 1 : 0, "SO_REUSEPORT");
            }

            Bind(fd, endPoint);
            if (Kind != SocketKind.Datagram && Libc.listen(fd, backlog) < 0)
            {
                throw Failure(Libc.Errno, "listen", fd, $"on {endPoint}");
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Disables (true) or enables Nagle's algorithm on a TCP socket (<c>TCP_NODELAY</c>). Not a scheduling point.</summary>
    /// <exception cref="UnixException">setsockopt failed (for example: not a TCP socket).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public void SetNoDelay(bool noDelay)
    {
        var fd = Enter();
        try
        {
            SetOption(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, noDelay ? 1 : 0, "TCP_NODELAY");
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>The address the socket is bound to (<c>getsockname</c>); null for an unnamed Unix-domain socket.</summary>
    /// <exception cref="UnixException">getsockname failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public EndPoint? LocalEndPoint
    {
        get
        {
            var fd = Enter();
            try
            {
                return GetSockName(fd);
            }
            finally
            {
                Leave();
            }
        }
    }

    /// <summary>Shuts down one or both directions (<c>shutdown</c>): the peer reads end-of-file after a send shutdown. Not a scheduling point.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="how"/> is not Receive, Send or Both.</exception>
    /// <exception cref="UnixException">shutdown failed (ENOTCONN: not connected).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public void Shutdown(SocketShutdown how)
    {
        if (how is not (SocketShutdown.Receive or SocketShutdown.Send or SocketShutdown.Both))
        {
            throw new ArgumentOutOfRangeException(nameof(how), how, "UnixSocket.Shutdown: Receive, Send or Both.");
        }

        var fd = Enter();
        try
        {
            if (Libc.shutdown(fd, (int)how) < 0)
            {
                throw Failure(Libc.Errno, "shutdown", fd, how.ToString());
            }
        }
        finally
        {
            Leave();
        }
    }

    private static void SetOption(int fd, int level, int name, int value, string what)
    {
        if (Libc.SetIntOption(fd, level, name, value) < 0)
        {
            throw Failure(Libc.Errno, "setsockopt", fd, what);
        }
    }

    // ------------------------------------------------------------------ waiting

    /// <summary>Suspends the calling task until the descriptor is ready for <paramref name="write"/>; see <see cref="UnixEventLoop.WaitAsync"/>.</summary>
    private Fiber WaitAsync(bool write, string name) => UnixEventLoop.Current.WaitAsync(TakeWaiter(write), name);

    /// <summary>The syscall this socket's reads suspend on, kept from wait to wait (for tests); null before the first wait.</summary>
    internal Syscall? ReaderSyscall => _reader?.Syscall;

    /// <summary>
    /// This socket's waiter for <paramref name="write"/>, claimed for the calling task, or a fresh one while another task
    /// waits in that direction. The claim is atomic: tasks of several domains may wait on one socket at once (a
    /// multi-domain accept loop), and one waiter serves one wait at a time, in one loop.
    /// </summary>
    private Waiter TakeWaiter(bool write)
    {
        var fd = Handle;
        // A blocking-mode descriptor waits before its call, with no would-block first: it needs the re-arming wait.
        var persistent = IsNonBlocking;
        ref var cached = ref write ? ref _writer : ref _reader;
        var free = cached;
        if (free is not null && free.TryClaim())
        {
            return free;
        }

        var waiter = new Waiter(fd, write, this, persistent); // claimed already
        if (free is null)
        {
            cached = waiter; // else another task waits in this direction right now: keep its waiter cached
        }

        return waiter;
    }

    private void RequireStreamOrUnknown(string operation)
    {
        if (Kind == SocketKind.Datagram)
        {
            throw new ArgumentException($"UnixSocket.{operation}: invalid file-descr (a datagram socket: use ReceiveFrom/SendTo).");
        }
    }

    private void RequireDatagram(string operation)
    {
        if (Kind != SocketKind.Datagram)
        {
            throw new ArgumentException($"UnixSocket.{operation}: invalid file-descr (a {Kind.ToString().ToLowerInvariant()} descriptor: ReceiveFrom/SendTo need a datagram socket).");
        }
    }

    private void RequireStream(string operation)
    {
        if (Kind != SocketKind.Stream)
        {
            throw new ArgumentException($"UnixSocket.{operation}: invalid file-descr (a {Kind.ToString().ToLowerInvariant()} descriptor: {operation} needs a stream socket).");
        }
    }
}
