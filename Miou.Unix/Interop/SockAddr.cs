using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Miou.Unix.Interop;

/// <summary>
/// Encodes and decodes Linux socket addresses (<c>sockaddr_in</c>, <c>sockaddr_in6</c>, <c>sockaddr_un</c>) to and from
/// .NET endpoints, into a caller's buffer of <see cref="MaxSize"/> bytes (the size of <c>sockaddr_storage</c>).
/// </summary>
internal static class SockAddr
{
    internal const int MaxSize = 128;
    private const int UnixPathMax = 108;

    /// <summary>Writes <paramref name="endPoint"/> into <paramref name="buffer"/> and returns the address length.</summary>
    internal static int Encode(EndPoint endPoint, Span<byte> buffer)
    {
        buffer[..MaxSize].Clear();
        switch (endPoint)
        {
            case IPEndPoint { AddressFamily: AddressFamily.InterNetwork } ip:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, Libc.AF_INET);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)ip.Port);
                ip.Address.TryWriteBytes(buffer[4..8], out _);
                return 16;
            case IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip6:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, Libc.AF_INET6);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)ip6.Port);
                ip6.Address.TryWriteBytes(buffer[8..24], out _);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer[24..], (uint)ip6.Address.ScopeId);
                return 28;
            case UnixDomainSocketEndPoint unix:
            {
                // The endpoint's own encoding, not its ToString: that shows a Linux abstract name ("\0name", no file, no
                // terminating NUL) as "@name", which would bind a socket file of that name in the current directory.
                var address = unix.Serialize();
                var path = address.Buffer.Span[2..address.Size]; // after sa_family: the path and its NUL, or the abstract name
                if (path.Length > UnixPathMax)
                {
                    throw new ArgumentException($"The Unix-domain socket path '{unix}' is {path.Length} bytes long; Linux allows at most {UnixPathMax}.", nameof(endPoint));
                }

                BinaryPrimitives.WriteUInt16LittleEndian(buffer, Libc.AF_UNIX);
                path.CopyTo(buffer[2..]);
                return 2 + path.Length;
            }

            default:
                throw new ArgumentException($"Unsupported endpoint {endPoint} ({endPoint.GetType().Name}): Miou.Unix takes IPv4, IPv6 and Unix-domain endpoints.", nameof(endPoint));
        }
    }

    /// <summary>Reads the address of length <paramref name="length"/> from <paramref name="buffer"/>; null for an unnamed Unix-domain socket.</summary>
    internal static EndPoint? Decode(ReadOnlySpan<byte> buffer, int length)
    {
        var family = BinaryPrimitives.ReadUInt16LittleEndian(buffer);
        switch (family)
        {
            case Libc.AF_INET:
                return new IPEndPoint(new IPAddress(buffer[4..8]), BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]));
            case Libc.AF_INET6:
                return new IPEndPoint(
                    new IPAddress(buffer[8..24], BinaryPrimitives.ReadUInt32LittleEndian(buffer[24..])),
                    BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]));
            case Libc.AF_UNIX:
            {
                var path = buffer[2..Math.Max(2, length)];
                if (path.IsEmpty)
                {
                    return null; // an unnamed socket (the client end of a connect, a socketpair)
                }

                if (path[0] == 0)
                {
                    return new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(path)); // abstract: every byte is the name
                }

                var end = path.IndexOf((byte)0);
                return new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(end < 0 ? path : path[..end]));
            }

            default:
                throw new InvalidOperationException($"Miou.Unix cannot decode a socket address of family {family}.");
        }
    }
}
