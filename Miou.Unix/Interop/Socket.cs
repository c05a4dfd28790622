namespace Miou.Unix.Interop;

/// <summary>socket(2), bind(2), listen(2), getsockname(2), getsockopt(2), setsockopt(2).</summary>
internal static unsafe partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;

    internal const int SOCK_STREAM = 1;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;

    internal const int SOL_SOCKET = 1;
    internal const int SO_REUSEADDR = 2;
    internal const int SO_TYPE = 3;
    internal const int SO_ERROR = 4;
    internal const int SO_REUSEPORT = 15;

    internal const int IPPROTO_TCP = 6;
    internal const int TCP_NODELAY = 1;
    internal const int IPPROTO_IPV6 = 41;
    internal const int IPV6_V6ONLY = 26;

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int bind(int fd, byte* addr, int addrLen);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int listen(int fd, int backlog);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int getsockname(int fd, byte* addr, int* addrLen);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int getsockopt(int fd, int level, int name, byte* value, int* valueLen);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, byte* value, int valueLen);

    /// <summary>Reads an int-valued socket option; -1 and errno on failure.</summary>
    internal static int GetIntOption(int fd, int level, int name, out int value)
    {
        int v = 0, len = sizeof(int);
        var rc = getsockopt(fd, level, name, (byte*)&v, &len);
        value = v;
        return rc;
    }

    /// <summary>Sets an int-valued socket option; -1 and errno on failure.</summary>
    internal static int SetIntOption(int fd, int level, int name, int value) => setsockopt(fd, level, name, (byte*)&value, sizeof(int));
}
