namespace Miou.Unix.Interop;

/// <summary>eventfd(2): the counter another thread bumps to interrupt a blocked <c>epoll_wait</c>.</summary>
internal static unsafe partial class Libc
{
    internal const int EFD_CLOEXEC = 0x80000;
    internal const int EFD_NONBLOCK = 0x800;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);
}
