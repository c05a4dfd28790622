using System.Runtime.InteropServices;

namespace Miou.Unix;

/// <summary>
/// A system call failed (the original's <c>Unix_error</c>): <see cref="Errno"/> says why, <see cref="Syscall"/> which
/// call. The common network failures read plainly: <see cref="IsRefused"/>, <see cref="IsReset"/>,
/// <see cref="IsClosedPeer"/>, <see cref="IsUnreachable"/>.
/// </summary>
public sealed class UnixException : IOException
{
    /// <summary>Creates the exception for <paramref name="errno"/> raised by <paramref name="syscall"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="syscall"/> is null.</exception>
    public UnixException(Errno errno, string syscall, string? detail = null)
        : base(Describe(errno, syscall, detail), -(int)errno)
    {
        Errno = errno;
        Syscall = syscall;
    }

    /// <summary>The error number.</summary>
    public Errno Errno { get; }

    /// <summary>The system call that failed ("connect", "read", …).</summary>
    public string Syscall { get; }

    /// <summary>The peer refused the connection (nothing listens there).</summary>
    public bool IsRefused => Errno == Errno.ECONNREFUSED;

    /// <summary>The peer reset the connection.</summary>
    public bool IsReset => Errno == Errno.ECONNRESET;

    /// <summary>A write to a peer that has closed its end (EPIPE; Miou.Unix never lets SIGPIPE kill the process).</summary>
    public bool IsClosedPeer => Errno is Errno.EPIPE or Errno.ECONNRESET;

    /// <summary>The address cannot be reached (no route to the network or host, or the address is not available).</summary>
    public bool IsUnreachable => Errno is Errno.ENETUNREACH or Errno.EHOSTUNREACH or Errno.EADDRNOTAVAIL or Errno.ENETDOWN or Errno.EHOSTDOWN;

    private static string Describe(Errno errno, string syscall, string? detail)
    {
        ArgumentNullException.ThrowIfNull(syscall); // here: the base constructor's argument is computed before the body runs
        var name = Enum.IsDefined(errno) ? errno.ToString() : $"errno {(int)errno}";
        var what = Marshal.GetPInvokeErrorMessage((int)errno);
        return detail is null ? $"{syscall}: {what} ({name})" : $"{syscall} {detail}: {what} ({name})";
    }
}
