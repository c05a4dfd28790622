namespace Miou.Unix.Interop;

/// <summary>shutdown(2).</summary>
internal static partial class Libc
{
    internal const int SHUT_RD = 0;
    internal const int SHUT_WR = 1;
    internal const int SHUT_RDWR = 2;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int shutdown(int fd, int how);
}
