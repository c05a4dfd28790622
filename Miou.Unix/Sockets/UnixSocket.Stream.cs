using System.Net;
using Miou.Unix.EventLoop;
using Miou.Unix.Interop;

namespace Miou.Unix;

/// <summary>Stream operations: accept, connect, read, really-read, write (spec §7.2).</summary>
public sealed partial class UnixSocket
{
    /// <summary>Accepts a connection; the client socket is owned by the calling task (direct style).</summary>
    [DirectStyle(nameof(AcceptAsync))]
    public UnixSocket Accept() => throw DirectStyleStub.NotInFiber("UnixSocket.Accept");

    /// <summary>
    /// Accepts a connection on a listening stream socket, waiting (suspension "accept") while none is pending. The client
    /// socket is non-blocking, knows its <see cref="RemoteEndPoint"/>, and is owned by the calling task (one scheduling
    /// point; if the task is cancelled there the client is closed).
    /// </summary>
    /// <exception cref="ArgumentException">A datagram socket.</exception>
    /// <exception cref="UnixException">accept failed (for example EINVAL: not listening; EMFILE: out of descriptors).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public async Fiber<UnixSocket> AcceptAsync()
    {
        RequireStream("Accept");
        while (true)
        {
            if (!IsNonBlocking)
            {
                await WaitAsync(write: false, "accept");
            }

            var client = TryAccept(out var peer);
            if (client != WouldBlock)
            {
                return await OwnNewAsync(new UnixSocket(client, SocketKind.Stream, nonBlocking: true, peer));
            }

            await WaitAsync(write: false, "accept");
        }
    }

    /// <summary>Connects to <paramref name="endPoint"/> (direct style).</summary>
    [DirectStyle(nameof(ConnectAsync))]
    public void Connect(EndPoint endPoint) => throw DirectStyleStub.NotInFiber("UnixSocket.Connect");

    /// <summary>
    /// Connects to <paramref name="endPoint"/>. An immediate failure throws at once (so does a Unix-domain listener whose
    /// backlog is full: <see cref="Errno.EAGAIN"/>, retry later); a connection in progress suspends (suspension
    /// "connect") until the socket is writable or in error, then reports <c>SO_ERROR</c>: a refused, reset or unreachable
    /// connection is a <see cref="UnixException"/> in the caller, never a hang. There is no timeout parameter: use
    /// <see cref="UnixIO.WithTimeoutAsync(TimeSpan, Func{Fiber})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A datagram or blocking-mode socket.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is null.</exception>
    /// <exception cref="UnixException">The connection failed (<see cref="UnixException.IsRefused"/>, …).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public async Fiber ConnectAsync(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        RequireStream("Connect");
        if (!IsNonBlocking)
        {
            throw new ArgumentException("UnixSocket.Connect: we expect a file descriptor in the non-blocking mode.");
        }

        if (TryConnect(endPoint))
        {
            return;
        }

        await WaitAsync(write: true, "connect");
        if (PendingError() is not 0 and var error)
        {
            throw Failure(error, "connect", Handle, $"to {endPoint}");
        }
    }

    /// <summary>Reads at most <c>buffer.Length</c> bytes; 0 means end of file (direct style).</summary>
    [DirectStyle(nameof(ReadAsync))]
    public int Read(Memory<byte> buffer) => throw DirectStyleStub.NotInFiber("UnixSocket.Read");

    /// <summary>
    /// Reads at most <c>buffer.Length</c> bytes and returns how many; 0 means end of file. Waits (suspension "read")
    /// only while nothing is available; a read that finds data is not a scheduling point.
    /// </summary>
    /// <exception cref="ArgumentException">A datagram socket.</exception>
    /// <exception cref="UnixException">For example a reset connection (<see cref="UnixException.IsReset"/>).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public async Fiber<int> ReadAsync(Memory<byte> buffer)
    {
        RequireStreamOrUnknown("Read");
        var loop = UnixEventLoop.CurrentOrNull;
        // A blocking-mode descriptor waits before its call; a socket known to be empty waits instead of a would-block read.
        var mayRead = IsNonBlocking && loop?.SkipsRead(this) != true;
        while (true)
        {
            if (mayRead)
            {
                var n = TryRead(buffer.Span);
                if (n != WouldBlock)
                {
                    if (n > 0 && n < buffer.Length)
                    {
                        loop?.ReadDrained(this);
                    }

                    return n;
                }
            }

            // UnixEventLoop.WaitAsync inlined: the hot path of every server, one frame fewer per wait.
            loop ??= UnixEventLoop.Current;
            var waiter = TakeWaiter(write: false);
            loop.BeginWait(waiter);
            try
            {
                await UnixEventLoop.Suspend(waiter, "read");
            }
            finally
            {
                waiter.Loop!.EndWait(waiter);
            }

            // The same loop (BeginWait set it on the waiter, which no other task uses meanwhile): read again after the
            // suspension instead of kept across it, so the frame has no field for it (one GC write barrier less per wait).
            loop = waiter.Loop;
            mayRead = true;
        }
    }

    /// <summary>Reads exactly <c>buffer.Length</c> bytes (direct style).</summary>
    [DirectStyle(nameof(ReallyReadAsync))]
    public void ReallyRead(Memory<byte> buffer) => throw DirectStyleStub.NotInFiber("UnixSocket.ReallyRead");

    /// <summary>Reads exactly <c>buffer.Length</c> bytes, looping on short reads; an empty buffer returns at once.</summary>
    /// <exception cref="EndOfStreamException">End of file came first; the message says how many bytes had arrived.</exception>
    public async Fiber ReallyReadAsync(Memory<byte> buffer)
    {
        RequireStreamOrUnknown("ReallyRead");
        var done = 0;
        while (done < buffer.Length)
        {
            var n = await ReadAsync(buffer[done..]);
            if (n == 0)
            {
                throw new EndOfStreamException($"UnixSocket.ReallyRead: end of file after {done} of {buffer.Length} bytes.");
            }

            done += n;
        }
    }

    /// <summary>Writes all of <paramref name="buffer"/> (direct style).</summary>
    [DirectStyle(nameof(WriteAsync))]
    public void Write(ReadOnlyMemory<byte> buffer) => throw DirectStyleStub.NotInFiber("UnixSocket.Write");

    /// <summary>
    /// Writes all of <paramref name="buffer"/>, looping on partial writes and waiting (suspension "write") while the
    /// socket's buffer is full. A write to a peer that has gone is a <see cref="UnixException"/>
    /// (<see cref="UnixException.IsClosedPeer"/>), never a SIGPIPE.
    /// </summary>
    /// <exception cref="ArgumentException">A datagram socket.</exception>
    /// <exception cref="UnixException">The write failed (for example <see cref="UnixException.IsClosedPeer"/>).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public Fiber WriteAsync(ReadOnlyMemory<byte> buffer)
    {
        // The common case needs no frame and no state machine: a non-blocking socket whose first send takes everything (a
        // write that does not wait is not a scheduling point either way). Anything else goes on in WriteRestAsync, which
        // reports errors inside the fiber as before; the error of this first send is handed over, not met again by a
        // second send (a reset peer says ECONNRESET once, then EPIPE).
        if (!IsNonBlocking || Kind == SocketKind.Datagram || buffer.IsEmpty || !TryEnter())
        {
            return WriteRestAsync(buffer, 0, 0);
        }

        nint sent;
        Errno errno;
        try
        {
            sent = SendOnce(_fd, buffer.Span);
            errno = sent < 0 ? Libc.SystemErrno : 0; // before Leave, which may close the number (close sets errno)
        }
        finally
        {
            Leave();
        }

        if (sent == buffer.Length)
        {
            return Fiber.CompletedFiber;
        }

        return WriteRestAsync(buffer, sent > 0 ? (int)sent : 0, errno is Errno.EINTR or Errno.EAGAIN ? 0 : errno);
    }

    /// <summary>The rest of <see cref="WriteAsync"/>, from <paramref name="done"/> bytes written or the error <paramref name="failed"/> of the first send.</summary>
    private async Fiber WriteRestAsync(ReadOnlyMemory<byte> buffer, int done, Errno failed)
    {
        RequireStreamOrUnknown("Write");
        if (failed != 0)
        {
            throw Failure(failed, "write", _fd);
        }

        while (done < buffer.Length)
        {
            if (!IsNonBlocking)
            {
                await WaitAsync(write: true, "write");
            }

            var n = TryWrite(buffer.Span[done..]);
            if (n == WouldBlock)
            {
                await WaitAsync(write: true, "write");
            }
            else
            {
                done += n;
            }
        }
    }
}
