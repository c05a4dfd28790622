namespace Miou.Unix.Interop;

/// <summary>fcntl(2), only to read and set <c>O_NONBLOCK</c> on a descriptor Miou.Unix did not create.</summary>
internal static partial class Libc
{
    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int O_NONBLOCK = 0x800;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);
}
