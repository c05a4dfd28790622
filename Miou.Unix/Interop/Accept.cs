namespace Miou.Unix.Interop;

/// <summary>accept4(2): the accepted socket comes out non-blocking and close-on-exec in one call.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int accept4(int fd, byte* addr, int* addrLen, int flags);
}
