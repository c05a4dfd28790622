namespace Miou.Unix.Interop;

/// <summary>
/// The two system calls of every request on a non-blocking socket, read(2) and sendto(2) (what send(2) is), made through
/// glibc's <c>syscall(2)</c> instead of its <c>read</c>/<c>send</c> wrappers. Those wrappers are cancellation points: in a
/// process with more than one thread (every .NET process) each call brackets the system call with
/// <c>__pthread_enable_asynccancel</c> and <c>__pthread_disable_asynccancel</c>, two atomic compare-and-swaps on the
/// thread's cancellation state, which a single-threaded C server never pays. .NET never cancels a thread with
/// <c>pthread_cancel</c>, so the cancellation point is of no use here. Measured on samples/Echo (perf, user-mode samples):
/// the pair was 5.9% of the server's user time. <c>syscall</c> itself sets <c>errno</c> and returns -1 on failure like the
/// wrappers, so the callers read <see cref="SystemErrno"/> as before.
/// </summary>
/// <remarks>
/// <para><c>syscall</c> is variadic; it is declared here with fixed integer parameters. That is the same call on the two
/// architectures this is enabled on: x86-64 (glibc's <c>syscall</c> is assembly that moves its six integer registers and
/// one stack slot, and never reads <c>%al</c>, the vector-register count a variadic callee may use) and arm64 Linux
/// (variadic integer arguments go in the same registers as fixed ones). The syscall numbers differ per architecture; on
/// any other the wrappers are used (<see cref="HasDirectSocketCalls"/> is false).</para>
/// <para><b>The GC transition is kept.</b> <see cref="SuppressGCTransitionAttribute"/> would save about 13 ns per
/// read+send pair (benchmarks/echo/SyscallCost), below what the echo benchmark can see, and its contract (a call that
/// always returns in well under a microsecond and never blocks) does not hold here: a loopback send delivers to the
/// peer's socket and wakes the peer inside the call, which costs this VM 3.2-3.6 µs when the peer sleeps on the other CPU
/// (benchmarks/echo/wake_cost.c), and a thread in cooperative mode for that long delays every collection.</para>
/// </remarks>
internal static unsafe partial class Libc
{
    /// <summary>read(2)'s number, or -1 on an architecture without direct calls.</summary>
    private static readonly nint SysRead = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0,
        Architecture.Arm64 => 63,
        _ => -1,
    };

    /// <summary>sendto(2)'s number (send is sendto with no address), or -1.</summary>
    private static readonly nint SysSendTo = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 44,
        Architecture.Arm64 => 206,
        _ => -1,
    };

    /// <summary>Whether <see cref="SocketRead"/> and <see cref="SocketSend"/> make the system call directly (x86-64, arm64).</summary>
    internal static bool HasDirectSocketCalls => SysRead >= 0;

    [LibraryImport(Name, EntryPoint = "syscall")] // data path: errno by SystemErrno (see Libc)
    private static partial nint syscall6(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    /// <summary>read(2) of a socket in non-blocking mode: the count, or -1 with errno (<see cref="SystemErrno"/>).</summary>
    internal static nint SocketRead(int fd, byte* buf, nuint count) =>
        HasDirectSocketCalls ? syscall6(SysRead, fd, (nint)buf, (nint)count, 0, 0, 0) : read(fd, buf, count);

    /// <summary>send(2) on a socket in non-blocking mode: the count, or -1 with errno (<see cref="SystemErrno"/>).</summary>
    internal static nint SocketSend(int fd, byte* buf, nuint len, int flags) =>
        HasDirectSocketCalls ? syscall6(SysSendTo, fd, (nint)buf, (nint)len, flags, 0, 0) : send(fd, buf, len, flags);
}
