using System.Net;

namespace Miou.Unix;

/// <summary>Datagram operations: receive-from and send-to (spec §7.2).</summary>
public sealed partial class UnixSocket
{
    /// <summary>Receives one datagram (direct style).</summary>
    [DirectStyle(nameof(ReceiveFromAsync))]
    public (int Count, EndPoint? Sender) ReceiveFrom(Memory<byte> buffer) => throw DirectStyleStub.NotInFiber("UnixSocket.ReceiveFrom");

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/> (the excess of a longer one is discarded) and returns its
    /// length and sender, waiting (suspension "read") while none is queued.
    /// </summary>
    /// <exception cref="ArgumentException">Not a datagram socket.</exception>
    /// <exception cref="UnixException">recvfrom failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public async Fiber<(int Count, EndPoint? Sender)> ReceiveFromAsync(Memory<byte> buffer)
    {
        RequireDatagram("ReceiveFrom");
        while (true)
        {
            if (!IsNonBlocking)
            {
                await WaitAsync(write: false, "read"); // a blocking-mode call would block the domain's thread: wait first
            }

            var n = TryReceiveFrom(buffer.Span, out var sender);
            if (n != WouldBlock)
            {
                return (n, sender);
            }

            await WaitAsync(write: false, "read");
        }
    }

    /// <summary>Sends one datagram (direct style).</summary>
    [DirectStyle(nameof(SendToAsync))]
    public int SendTo(ReadOnlyMemory<byte> buffer, EndPoint endPoint) => throw DirectStyleStub.NotInFiber("UnixSocket.SendTo");

    /// <summary>Sends <paramref name="buffer"/> as one datagram to <paramref name="endPoint"/> and returns the bytes sent (one call, no loop).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is null.</exception>
    /// <exception cref="ArgumentException">Not a datagram socket, or an endpoint of another kind than IPv4, IPv6 or Unix-domain.</exception>
    /// <exception cref="UnixException">sendto failed (for example EMSGSIZE, or EAFNOSUPPORT for an address of the other IP family).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed (also when it is closed while the task waits).</exception>
    public async Fiber<int> SendToAsync(ReadOnlyMemory<byte> buffer, EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        RequireDatagram("SendTo");
        while (true)
        {
            if (!IsNonBlocking)
            {
                await WaitAsync(write: true, "write");
            }

            var n = TrySendTo(buffer.Span, endPoint);
            if (n != WouldBlock)
            {
                return n;
            }

            await WaitAsync(write: true, "write");
        }
    }
}
