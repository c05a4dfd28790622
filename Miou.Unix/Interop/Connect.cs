namespace Miou.Unix.Interop;

/// <summary>connect(2). On a non-blocking socket EINPROGRESS means "wait for writability, then read SO_ERROR".</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int connect(int fd, byte* addr, int addrLen);
}
