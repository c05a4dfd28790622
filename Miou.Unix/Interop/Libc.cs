using System.Runtime.InteropServices;

namespace Miou.Unix.Interop;

/// <summary>
/// Where the syscall wrappers live, and the two ways this assembly reads <c>errno</c>. Every import in this folder uses
/// <see cref="LibraryImportAttribute"/> with blittable signatures (ints, pointers). Most use <c>SetLastError = true</c>,
/// so a wrapper that returns -1 is followed by <see cref="Errno"/>, however much work comes in between. The imports of
/// the data path (read, write, recv, send, recvfrom, sendto, epoll_wait), called once or more per request, do not:
/// <c>SetLastError</c> costs two more native calls on every call, success or not (clear errno before, fetch it after,
/// then a thread-local store), where these calls need errno only when they fail; their callers read
/// <see cref="SystemErrno"/> on failure, first thing after the call. One file per syscall family: <c>Epoll.cs</c>,
/// <c>EventFd.cs</c>, <c>Socket.cs</c> (socket, bind, listen, getsockname, socket options), <c>Accept.cs</c>,
/// <c>Connect.cs</c>, <c>ReadWrite.cs</c> (read, write, recv, send), <c>SocketCalls.cs</c> (the read and send of non-blocking
/// sockets, made directly: no cancellation point), <c>Datagram.cs</c> (recvfrom, sendto),
/// <c>Shutdown.cs</c>, <c>Close.cs</c>, <c>Fcntl.cs</c>; socket addresses are encoded in <c>SockAddr.cs</c>.
/// </summary>
internal static partial class Libc
{
    /// <summary>glibc's soname: "libc" alone would make the loader try libc.so, which is a linker script, not a library.</summary>
    internal const string Name = "libc.so.6";

    /// <summary>
    /// The <c>errno</c> of the last import with <c>SetLastError = true</c> called on this thread. Read it before anything
    /// else, in particular before formatting an exception's message: <c>new UnixException(Libc.Errno, "bind", $"to {x}")</c>
    /// (arguments are evaluated left to right). The runtime keeps it where other work of the thread may overwrite it:
    /// formatting the message first once turned a bind's EADDRINUSE into "Unknown error 203".
    /// </summary>
    internal static Errno Errno => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>
    /// <c>errno</c> itself, for the data-path imports declared without <c>SetLastError</c>: read it right after such a
    /// call returned -1, before anything else (the same point at which the <c>SetLastError</c> stub would fetch it).
    /// </summary>
    internal static Errno SystemErrno => (Errno)Marshal.GetLastSystemError();
}
