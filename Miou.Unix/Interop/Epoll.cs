using System.Runtime.InteropServices;

namespace Miou.Unix.Interop;

/// <summary>epoll(7): <c>epoll_create1</c>, <c>epoll_ctl</c>, <c>epoll_wait</c>.</summary>
internal static unsafe partial class Libc
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;

    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLOUT = 0x004;
    internal const uint EPOLLERR = 0x008;
    internal const uint EPOLLHUP = 0x010;
    internal const uint EPOLLRDHUP = 0x2000;
    internal const uint EPOLLET = 1u << 31;

    /// <summary>
    /// <c>struct epoll_event</c> is packed on x86-64 (12 bytes: events at 0, data at 4) and naturally aligned elsewhere
    /// (16 bytes: data at 8). The loop reads its event buffer with these offsets instead of declaring two structs.
    /// </summary>
    internal static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    internal static readonly int EpollDataOffset = EpollEventSize - 8;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    [LibraryImport(Name)] // data path: errno by SystemErrno (see Libc)
    internal static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    /// <summary><c>epoll_ctl</c> with an event built from <paramref name="events"/> and <paramref name="data"/>.</summary>
    internal static int EpollCtl(int epfd, int op, int fd, uint events, ulong data)
    {
        var buffer = stackalloc byte[16];
        *(uint*)buffer = events;
        *(ulong*)(buffer + EpollDataOffset) = data; // unaligned on x86-64, which is fine there
        return epoll_ctl(epfd, op, fd, buffer);
    }
}
