namespace Miou.Unix.Interop;

/// <summary>read(2), write(2), recv(2), send(2). Sockets use recv/send so that a write to a closed peer is EPIPE, not SIGPIPE.</summary>
internal static unsafe partial class Libc
{
    internal const int MSG_NOSIGNAL = 0x4000;

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint recv(int fd, byte* buf, nuint len, int flags);

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint send(int fd, byte* buf, nuint len, int flags);
}
