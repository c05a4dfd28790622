using System.Runtime.InteropServices;

namespace Miou.Unix.Interop;

/// <summary>
/// Where the syscall wrappers live, and the one way this assembly reads <c>errno</c>. Every import in this folder uses
/// <see cref="LibraryImportAttribute"/> with blittable signatures (ints, pointers) and <c>SetLastError = true</c>, so a
/// wrapper that returns -1 is followed by <see cref="Errno"/>. One file per syscall family: <c>Epoll.cs</c>,
/// <c>EventFd.cs</c>, <c>Socket.cs</c> (socket, bind, listen, getsockname, socket options), <c>Accept.cs</c>,
/// <c>Connect.cs</c>, <c>ReadWrite.cs</c> (read, write, recv, send), <c>Datagram.cs</c> (recvfrom, sendto),
/// <c>Shutdown.cs</c>, <c>Close.cs</c>, <c>Fcntl.cs</c>; socket addresses are encoded in <c>SockAddr.cs</c>.
/// </summary>
internal static partial class Libc
{
    /// <summary>glibc's soname: "libc" alone would make the loader try libc.so, which is a linker script, not a library.</summary>
    internal const string Name = "libc.so.6";

    /// <summary>The <c>errno</c> of the last import called on this thread.</summary>
    internal static Errno Errno => (Errno)Marshal.GetLastPInvokeError();
}
