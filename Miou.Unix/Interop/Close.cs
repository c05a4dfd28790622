namespace Miou.Unix.Interop;

/// <summary>close(2).</summary>
internal static partial class Libc
{
    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close(int fd);
}
