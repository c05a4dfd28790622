namespace Miou.Unix.Interop;

/// <summary>recvfrom(2), sendto(2).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint recvfrom(int fd, byte* buf, nuint len, int flags, byte* srcAddr, int* addrLen);

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial nint sendto(int fd, byte* buf, nuint len, int flags, byte* destAddr, int addrLen);
}
