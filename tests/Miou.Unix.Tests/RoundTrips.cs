using System.Net.Sockets;

namespace Miou.Unix.Tests;

public class RoundTrips : UnixTest
{
    /// <summary>One server task echoing one connection, one client task: accept, connect, write, read, close.</summary>
    private static async Fiber<string> EchoOnceAsync(UnixSocket server, EndPoint connectTo, Func<Fiber<UnixSocket>> newClient)
    {
        var serving = await Fiber.SpawnAsync(async () =>
        {
            var peer = await server.AcceptAsync();
            var buffer = new byte[64];
            var n = await peer.ReadAsync(buffer);
            await peer.WriteAsync(buffer.AsMemory(0, n));
            await peer.CloseAsync();
        });
        var client = await newClient();
        await client.ConnectAsync(connectTo);
        await client.WriteAsync(Bytes("hello, world!"));
        var reply = new byte[13];
        await client.ReallyReadAsync(reply);
        await client.CloseAsync();
        await Fiber.AwaitAsync(serving);
        return Text(reply);
    }

    [Test]
    public void TcpV4RoundTrip()
    {
        var reply = Run(async () =>
        {
            var server = await ListenAsync(LoopbackV4);
            var r = await EchoOnceAsync(server, server.LocalEndPoint!, UnixSocket.TcpV4Async);
            await server.CloseAsync();
            return r;
        });
        Assert.That(reply, Is.EqualTo("hello, world!"));
    }

    [Test]
    public void TcpV6RoundTrip()
    {
        var reply = Run(async () =>
        {
            var server = await ListenAsync(LoopbackV6);
            var r = await EchoOnceAsync(server, server.LocalEndPoint!, UnixSocket.TcpV6Async);
            await server.CloseAsync();
            return r;
        });
        Assert.That(reply, Is.EqualTo("hello, world!"));
    }

    [Test]
    public void UnixDomainRoundTrip()
    {
        var path = Path.Combine(Path.GetTempPath(), $"miou-unix-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            var reply = Run(async () =>
            {
                var server = await UnixSocket.UnixStreamAsync();
                server.BindAndListen(new UnixDomainSocketEndPoint(path));
                var r = await EchoOnceAsync(server, new UnixDomainSocketEndPoint(path), UnixSocket.UnixStreamAsync);
                Assert.That(server.LocalEndPoint?.ToString(), Is.EqualTo(path));
                await server.CloseAsync();
                return r;
            });
            Assert.That(reply, Is.EqualTo("hello, world!"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A Linux abstract address (a name that starts with a NUL) names no file: it was once encoded from the endpoint's
    /// display form, "@name", which bound a socket file of that name in the current directory, and read back as unnamed.
    /// </summary>
    [Test]
    public void AbstractUnixDomainRoundTrip()
    {
        var name = $"\0miou-abstract-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var stray = Path.Combine(Environment.CurrentDirectory, "@" + name[1..]);
        try
        {
            var (reply, local, fileCreated) = Run(async () =>
            {
                var server = await UnixSocket.UnixStreamAsync();
                server.BindAndListen(new UnixDomainSocketEndPoint(name));
                var created = File.Exists(stray);
                var r = await EchoOnceAsync(server, new UnixDomainSocketEndPoint(name), UnixSocket.UnixStreamAsync);
                var l = server.LocalEndPoint;
                await server.CloseAsync();
                return (r, l, created);
            });
            Assert.That(fileCreated, Is.False, "binding an abstract address creates no file");
            Assert.That(reply, Is.EqualTo("hello, world!"));
            Assert.That(local, Is.EqualTo(new UnixDomainSocketEndPoint(name)), "the bound address reads back as the abstract name");
        }
        finally
        {
            File.Delete(stray);
        }
    }

    [Test]
    public void UdpV6RoundTrip()
    {
        var (got, from) = Run(async () =>
        {
            var a = await UnixSocket.UdpV6Async();
            var b = await UnixSocket.UdpV6Async();
            a.BindAndListen(LoopbackV6);
            b.BindAndListen(LoopbackV6);
            var receiving = await Fiber.SpawnAsync(async () =>
            {
                var buffer = new byte[32];
                var (n, sender) = await a.ReceiveFromAsync(buffer);
                return (Text(buffer.AsSpan(0, n)), sender);
            });
            var sent = await b.SendToAsync(Bytes("datagram"), a.LocalEndPoint!);
            Assert.That(sent, Is.EqualTo(8));
            var result = await Fiber.AwaitAsync(receiving);
            var bAt = b.LocalEndPoint;
            await a.CloseAsync();
            await b.CloseAsync();
            return (result.Item1, result.sender?.Equals(bAt) == true);
        });
        Assert.That(got, Is.EqualTo("datagram"));
        Assert.That(from, Is.True, "the sender address is the sending socket's");
    }

    [Test]
    public void LargeWriteIsWrittenWhole()
    {
        // 4 MiB through loopback: the writer fills the socket buffer, suspends for writability, and resumes.
        const int size = 4 << 20;
        var received = Run(async () =>
        {
            var server = await ListenAsync();
            var reading = await Fiber.SpawnAsync(async () =>
            {
                var peer = await server.AcceptAsync();
                var buffer = new byte[size];
                await peer.ReallyReadAsync(buffer);
                var extra = await peer.ReadAsync(new byte[1]);
                await peer.CloseAsync();
                return (buffer.Select((b, i) => b == (byte)(i * 7)).All(x => x), extra);
            });
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var data = new byte[size];
            for (var i = 0; i < size; i++)
            {
                data[i] = (byte)(i * 7);
            }

            await client.WriteAsync(data);
            await client.CloseAsync();
            var result = await Fiber.AwaitAsync(reading);
            await server.CloseAsync();
            return result;
        });
        Assert.That(received.Item1, Is.True, "every byte arrived in order");
        Assert.That(received.extra, Is.Zero, "then end of file");
    }

    [Test]
    public void HalfClose()
    {
        // The client sends, then shuts down its sending side; the server reads to end of file, answers, and closes;
        // the client, which can still read, gets the answer and then end of file.
        var (serverSaw, clientGot, clientEof) = Run(async () =>
        {
            var server = await ListenAsync();
            var serving = await Fiber.SpawnAsync(async () =>
            {
                var peer = await server.AcceptAsync();
                var received = new List<byte>();
                var buffer = new byte[8];
                int n;
                while ((n = await peer.ReadAsync(buffer)) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, n).ToArray());
                }

                await peer.WriteAsync(Bytes($"got {received.Count} bytes"));
                await peer.CloseAsync();
                return Text(received.ToArray());
            });
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            await client.WriteAsync(Bytes("first half, then shutdown"));
            client.Shutdown(SocketShutdown.Send);
            var reply = new byte[12];
            await client.ReallyReadAsync(reply);
            var eof = await client.ReadAsync(new byte[1]);
            await client.CloseAsync();
            var saw = await Fiber.AwaitAsync(serving);
            await server.CloseAsync();
            return (saw, Text(reply), eof);
        });
        Assert.That(serverSaw, Is.EqualTo("first half, then shutdown"));
        Assert.That(clientGot, Is.EqualTo("got 25 bytes"));
        Assert.That(clientEof, Is.Zero);
    }
}
