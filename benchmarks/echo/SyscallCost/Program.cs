// What the two system calls of an echo request (a send and a read of 64 bytes on a non-blocking socket) cost in user
// mode through each of three paths, with no scheduler in the way: glibc's send/read wrappers with the GC transition
// (what Miou.Unix used until 2026-11-22), glibc's syscall(2) with the transition (no cancellation point: no
// __pthread_enable/disable_asynccancel; Libc.SocketSend/SocketRead, what it uses now on non-blocking sockets), and
// syscall(2) without the transition ([SuppressGCTransition], declared here only: what Miou.Unix declines, see
// Miou.Unix/Interop/SocketCalls.cs). The calls are made inside a try region, as in an async method's MoveNext, where the JIT
// does not inline a P/Invoke and calls its stub. Three million pairs per path, alternated over seven rounds; prints the
// process's user and system CPU per pair (the kernel's part is the same work on every path). The first round includes the JIT.
//
//   dotnet run -c Release --project benchmarks/echo/SyscallCost
using System.Diagnostics;
using System.Runtime.InteropServices;
using Miou.Unix.Interop;

const int Pairs = 3_000_000;
var (a, b) = Native.SocketPair();
string[] paths = ["wrappers (send, read)", "syscall(2), GC transition", "syscall(2), no transition"];
for (var round = 1; round <= 7; round++)
{
    for (var path = 0; path < paths.Length; path++)
    {
        using var process = Process.GetCurrentProcess();
        var (user, system) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
        Native.Pairs(a, b, path, Pairs);
        process.Refresh();
        Console.WriteLine(FormattableString.Invariant(
            $"round {round} {paths[path],-26}: {(process.UserProcessorTime - user).TotalNanoseconds / Pairs,6:F1} ns user, {(process.PrivilegedProcessorTime - system).TotalNanoseconds / Pairs,6:F1} ns system per send+read"));
    }
}

Native.close(a);
Native.close(b);
return 0;

internal static unsafe partial class Native
{
    [LibraryImport("libc.so.6", SetLastError = true)]
    internal static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc.so.6")]
    internal static partial int close(int fd);

    /// <summary>syscall(2) as Libc declares it, but without the GC transition (measured only; see Miou.Unix's SocketCalls.cs).</summary>
    [LibraryImport("libc.so.6", EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial nint syscall6NoTransition(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    internal static (int A, int B) SocketPair()
    {
        const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
        var fds = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
        {
            throw new InvalidOperationException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>n sends of 64 bytes on <paramref name="a"/>, each read back on <paramref name="b"/>, by <paramref name="path"/>.</summary>
    internal static void Pairs(int a, int b, int path, int n)
    {
        var buffer = stackalloc byte[64];
        var (sendTo, read) = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? (206, 63) : (44, 0);
        try // as in an async method's MoveNext: a P/Invoke in a try region goes through its stub
        {
            for (var i = 0; i < n; i++)
            {
                var (sent, got) = path switch
                {
                    0 => (Libc.send(a, buffer, 64, Libc.MSG_NOSIGNAL), Libc.read(b, buffer, 64)),
                    1 => (Libc.SocketSend(a, buffer, 64, Libc.MSG_NOSIGNAL), Libc.SocketRead(b, buffer, 64)),
                    _ => (syscall6NoTransition(sendTo, a, (nint)buffer, 64, Libc.MSG_NOSIGNAL, 0, 0), syscall6NoTransition(read, b, (nint)buffer, 64, 0, 0, 0)),
                };
                if (sent != 64 || got != 64)
                {
                    throw new InvalidOperationException($"send {sent}, read {got}: errno {Marshal.GetLastSystemError()}");
                }
            }
        }
        finally
        {
            buffer[0] = 0;
        }
    }
}
