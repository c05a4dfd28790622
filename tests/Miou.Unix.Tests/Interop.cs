using System.Runtime.InteropServices;

namespace Miou.Unix.Tests;

/// <summary>The few libc calls the tests need beyond Miou.Unix's own: pipes, eventfd writes, SO_LINGER, IPV6_V6ONLY.</summary>
internal static unsafe partial class TestLibc
{
    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, byte* value, int valueLen);

    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int socketpair(int domain, int type, int protocol, int* fds);

    private const int O_CLOEXEC = 0x80000;

    /// <summary>A connected pair of non-blocking, close-on-exec Unix-domain stream sockets.</summary>
    internal static (int A, int B) NonBlockingSocketPair()
    {
        const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800;
        var fds = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | O_CLOEXEC, 0, fds) < 0)
        {
            throw new InvalidOperationException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_SEQPACKET = 5;
    internal const int F_GETFL = 3;
    internal const int O_NONBLOCK = 0x800;

    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);

    /// <summary>A connected pair of blocking-mode, close-on-exec Unix-domain sockets of <paramref name="type"/> (<see cref="SOCK_DGRAM"/>, …).</summary>
    internal static (int A, int B) BlockingSocketPair(int type)
    {
        const int AF_UNIX = 1;
        var fds = stackalloc int[2];
        if (socketpair(AF_UNIX, type | O_CLOEXEC, 0, fds) < 0)
        {
            throw new InvalidOperationException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>A close-on-exec pipe: (read end, write end).</summary>
    internal static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
        {
            throw new InvalidOperationException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    internal static void WriteByte(int fd)
    {
        byte b = 1;
        if (write(fd, &b, 1) != 1)
        {
            throw new InvalidOperationException($"write failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SO_LINGER with a zero timeout: the next close sends a reset instead of a FIN.</summary>
    internal static void LingerZero(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        if (setsockopt(fd, 1 /* SOL_SOCKET */, 13 /* SO_LINGER */, (byte*)linger, 8) < 0)
        {
            throw new InvalidOperationException($"setsockopt SO_LINGER failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>IPV6_V6ONLY: the socket refuses IPv4-mapped peers.</summary>
    internal static void V6Only(int fd)
    {
        var one = 1;
        if (setsockopt(fd, 41 /* IPPROTO_IPV6 */, 26 /* IPV6_V6ONLY */, (byte*)&one, 4) < 0)
        {
            throw new InvalidOperationException($"setsockopt IPV6_V6ONLY failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
