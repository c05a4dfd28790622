using System.Net;
using System.Net.Sockets;
using Miou.Unix.Interop;

namespace Miou.Unix;

/// <summary>
/// The system calls behind the operations: each retries on EINTR, returns a would-block as a value, and throws any other
/// error. Each counts itself in flight on the descriptor (<see cref="Enter"/> … <see cref="Leave"/>), so that a close on
/// another thread cannot free the number under it; errno is read inside, before Leave.
/// </summary>
public sealed partial class UnixSocket
{
    private const int WouldBlock = -1;
    private const int Interrupted = -2;

    /// <summary>The result of a call on <paramref name="fd"/> that returns a count: the count, <see cref="WouldBlock"/>, <see cref="Interrupted"/> (retry), or the error thrown.</summary>
    private static int Outcome(nint result, string syscall, int fd, EndPoint? peer = null) => result >= 0 ? (int)result : Libc.SystemErrno switch
    {
        Errno.EINTR => Interrupted,
        Errno.EAGAIN => WouldBlock,
        var errno => throw Failure(errno, syscall, fd, peer is null ? null : $"to {peer}"),
    };

    /// <summary>
    /// The exception for <paramref name="syscall"/> failing on the descriptor <paramref name="fd"/>: its message names the
    /// call, the descriptor and errno (a server with many connections needs to know which one failed). Read errno first.
    /// </summary>
    private static UnixException Failure(Errno errno, string syscall, int fd, string? detail = null) =>
        new(errno, syscall, detail is null ? $"(descriptor {fd})" : $"{detail} (descriptor {fd})");

    /// <summary>Bytes read (0 = end of file), or <see cref="WouldBlock"/>.</summary>
    private unsafe int TryRead(Span<byte> buffer)
    {
        var fd = Enter();
        var direct = IsNonBlocking && Kind != SocketKind.Unknown; // a call that cannot block (see Libc.SocketRead)
        try
        {
            fixed (byte* p = buffer)
            {
                int n;
                do
                {
                    n = Outcome(direct ? Libc.SocketRead(fd, p, (nuint)buffer.Length) : Libc.read(fd, p, (nuint)buffer.Length), "read", fd);
                }
                while (n == Interrupted);
                return n;
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Bytes written (at least 1 for a non-empty buffer), or <see cref="WouldBlock"/>.</summary>
    private int TryWrite(ReadOnlySpan<byte> buffer)
    {
        var fd = Enter();
        try
        {
            int n;
            do
            {
                n = Outcome(SendOnce(fd, buffer), "write", fd);
            }
            while (n == Interrupted);
            return n;
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// One write: the count, or -1 with errno (<see cref="Libc.SystemErrno"/>). Sockets use send with MSG_NOSIGNAL; a
    /// non-blocking socket's is a call that cannot block (see <see cref="Libc.SocketSend"/>).
    /// </summary>
    private unsafe nint SendOnce(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return Kind == SocketKind.Unknown ? Libc.write(fd, p, (nuint)buffer.Length)
                : IsNonBlocking ? Libc.SocketSend(fd, p, (nuint)buffer.Length, Libc.MSG_NOSIGNAL)
                : Libc.send(fd, p, (nuint)buffer.Length, Libc.MSG_NOSIGNAL);
        }
    }

    /// <summary>The accepted descriptor and the peer's address, or <see cref="WouldBlock"/>.</summary>
    private int TryAccept(out EndPoint? peer)
    {
        var fd = Enter();
        try
        {
            return TryAccept(fd, out peer);
        }
        finally
        {
            Leave();
        }
    }

    private static unsafe int TryAccept(int fd, out EndPoint? peer)
    {
        var address = stackalloc byte[SockAddr.MaxSize];
        while (true)
        {
            var length = SockAddr.MaxSize;
            var client = Libc.accept4(fd, address, &length, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (client >= 0)
            {
                peer = SockAddr.Decode(new ReadOnlySpan<byte>(address, length), length);
                return client;
            }

            switch (Libc.Errno)
            {
                case Errno.EINTR:
                case Errno.ECONNABORTED: // the client gave up before we accepted: take the next one
                    continue;
                case Errno.EAGAIN:
                    peer = null;
                    return WouldBlock;
                case var errno:
                    throw Failure(errno, "accept", fd);
            }
        }
    }

    /// <summary>True once connected; false if the connection is in progress (wait for writability, then read SO_ERROR).</summary>
    private bool TryConnect(EndPoint endPoint)
    {
        var fd = Enter();
        try
        {
            return TryConnect(fd, endPoint);
        }
        finally
        {
            Leave();
        }
    }

    private static unsafe bool TryConnect(int fd, EndPoint endPoint)
    {
        var address = stackalloc byte[SockAddr.MaxSize];
        var length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
        while (true)
        {
            if (Libc.connect(fd, address, length) == 0)
            {
                return true;
            }

            switch (Libc.Errno)
            {
                case Errno.EINTR:
                    continue;
                case Errno.EINPROGRESS:
                    return false;
                case Errno.EAGAIN when endPoint is UnixDomainSocketEndPoint:
                    // Not in progress: the Unix-domain listener's backlog is full and nothing was started, and no readiness
                    // will say when to retry (the unconnected socket is writable at once), so it is the caller's error.
                    throw Failure(Errno.EAGAIN, "connect", fd, $"to {endPoint} (the listener's backlog is full)");
                case var errno:
                    throw Failure(errno, "connect", fd, $"to {endPoint}");
            }
        }
    }

    /// <summary>The pending error of a socket (SO_ERROR), 0 if none.</summary>
    private Errno PendingError()
    {
        var fd = Enter();
        try
        {
            if (Libc.GetIntOption(fd, Libc.SOL_SOCKET, Libc.SO_ERROR, out var error) < 0)
            {
                throw Failure(Libc.Errno, "getsockopt", fd, "SO_ERROR");
            }

            return (Errno)error;
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Bytes received and the sender, or <see cref="WouldBlock"/>.</summary>
    private unsafe int TryReceiveFrom(Span<byte> buffer, out EndPoint? sender)
    {
        var fd = Enter();
        var address = stackalloc byte[SockAddr.MaxSize];
        try
        {
            fixed (byte* p = buffer)
            {
                int n, length;
                do
                {
                    length = SockAddr.MaxSize;
                    n = Outcome(Libc.recvfrom(fd, p, (nuint)buffer.Length, 0, address, &length), "recvfrom", fd);
                }
                while (n == Interrupted);
                sender = n >= 0 && length > 0 ? SockAddr.Decode(new ReadOnlySpan<byte>(address, length), length) : null;
                return n;
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Bytes sent, or <see cref="WouldBlock"/>.</summary>
    private unsafe int TrySendTo(ReadOnlySpan<byte> buffer, EndPoint endPoint)
    {
        var fd = Enter();
        var address = stackalloc byte[SockAddr.MaxSize];
        try
        {
            var length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
            fixed (byte* p = buffer)
            {
                int n;
                do
                {
                    n = Outcome(Libc.sendto(fd, p, (nuint)buffer.Length, Libc.MSG_NOSIGNAL, address, length), "sendto", fd, endPoint);
                }
                while (n == Interrupted);
                return n;
            }
        }
        finally
        {
            Leave();
        }
    }

    private static unsafe void Bind(int fd, EndPoint endPoint)
    {
        var address = stackalloc byte[SockAddr.MaxSize];
        var length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
        if (Libc.bind(fd, address, length) < 0)
        {
            throw Failure(Libc.Errno, "bind", fd, $"to {endPoint}");
        }
    }

    private static unsafe EndPoint? GetSockName(int fd)
    {
        var address = stackalloc byte[SockAddr.MaxSize];
        var length = SockAddr.MaxSize;
        if (Libc.getsockname(fd, address, &length) < 0)
        {
            throw Failure(Libc.Errno, "getsockname", fd);
        }

        return SockAddr.Decode(new ReadOnlySpan<byte>(address, length), length);
    }
}
