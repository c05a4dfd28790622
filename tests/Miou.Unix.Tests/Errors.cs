using System.Net.Sockets;

namespace Miou.Unix.Tests;

/// <summary>Failures are reported in the calling task as clear exceptions, never hangs nor signals.</summary>
public class Errors : UnixTest
{
    /// <summary>An endpoint nobody listens on: a port bound, read, and released.</summary>
    private static async Fiber<EndPoint> ClosedPortAsync()
    {
        var probe = await UnixSocket.TcpV4Async();
        probe.BindAndListen(LoopbackV4, reusePort: false);
        var at = probe.LocalEndPoint!;
        await probe.CloseAsync();
        return at;
    }

    [Test]
    public void RefusedConnect()
    {
        var error = Run(async () =>
        {
            var at = await ClosedPortAsync();
            var client = await UnixSocket.TcpV4Async();
            try
            {
                await client.ConnectAsync(at);
                return null;
            }
            catch (UnixException e)
            {
                return e;
            }
            finally
            {
                await client.CloseAsync();
            }
        });
        Assert.That(error, Is.Not.Null, "connecting to a closed port must fail");
        Assert.That(error!.IsRefused, Is.True, error.Message);
        Assert.That(error.Message, Does.Contain("ECONNREFUSED").And.Contain("connect"));
    }

    /// <summary>
    /// A non-blocking connect to a Unix-domain listener whose backlog is full fails with EAGAIN, and the kernel gives no
    /// readiness to wait for (an unconnected socket is writable at once). Connect once waited for writability, found no
    /// SO_ERROR and returned as if connected: the socket's next write failed with ENOTCONN.
    /// </summary>
    [Test]
    public void UnixDomainConnectToAFullBacklogFailsInsteadOfPretending()
    {
        var path = Path.Combine(Path.GetTempPath(), $"miou-backlog-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            var (refused, notConnected) = Run(async () =>
            {
                var at = new UnixDomainSocketEndPoint(path);
                var server = await UnixSocket.UnixStreamAsync();
                server.BindAndListen(at, backlog: 0); // nobody accepts: the second connection finds the backlog full
                var clients = new List<UnixSocket>();
                UnixException? failure = null;
                var unconnected = 0;
                for (var i = 0; i < 8 && failure is null; i++)
                {
                    var client = await UnixSocket.UnixStreamAsync();
                    clients.Add(client);
                    try
                    {
                        await client.ConnectAsync(at);
                    }
                    catch (UnixException e)
                    {
                        failure = e;
                        continue;
                    }

                    try
                    {
                        await client.WriteAsync(Bytes("x"));
                    }
                    catch (UnixException)
                    {
                        unconnected++;
                    }
                }

                foreach (var client in clients)
                {
                    await client.CloseAsync();
                }

                await server.CloseAsync();
                return (failure, unconnected);
            });
            Assert.That(notConnected, Is.Zero, "every connect that returned left a connected socket");
            Assert.That(refused?.Errno, Is.EqualTo(Errno.EAGAIN), "a full backlog is an error of the connect");
            Assert.That(refused!.Message, Does.Contain("connect").And.Contain(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Fiber<string> MessageOfAsync(Func<Fiber> operation)
    {
        try
        {
            await operation();
            return "(no failure)";
        }
        catch (UnixException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Every failed call on a socket names the call, the descriptor and errno: a server with thousands of connections
    /// needs to know which one failed. Most messages once named only the call and errno ("read: ... (ENOTCONN)").
    /// </summary>
    [Test]
    public void FailuresNameTheCallTheDescriptorAndErrno()
    {
        var (fd, udpFd, failures) = Run(async () =>
        {
            var socket = await UnixSocket.TcpV4Async(); // neither bound, connected nor listening
            var udp = await UnixSocket.UdpV4Async();
            var holder = await ListenAsync();
            var at = await ClosedPortAsync();
            var list = new List<(string Call, string Errno, string Message)>
            {
                ("read", "ENOTCONN", await MessageOfAsync(async () => await socket.ReadAsync(new byte[4]))),
                ("accept", "EINVAL", await MessageOfAsync(async () => await socket.AcceptAsync())),
                // After the read: a failed shutdown still marks the socket shut down, and a read then says end of file.
                ("shutdown", "ENOTCONN", await MessageOfAsync(async () => socket.Shutdown(SocketShutdown.Both))),
                ("write", "EPIPE", await MessageOfAsync(async () => await socket.WriteAsync(Bytes("x")))),
                ("bind", "EADDRINUSE", await MessageOfAsync(async () => socket.BindAndListen(holder.LocalEndPoint!, reusePort: false))),
                ("connect", "ECONNREFUSED", await MessageOfAsync(async () => await socket.ConnectAsync(at))),
                ("sendto", "EAFNOSUPPORT", await MessageOfAsync(async () => await udp.SendToAsync(Bytes("x"), LoopbackV6))),
            };
            var handles = (socket.Handle, udp.Handle);
            await holder.CloseAsync();
            await udp.CloseAsync();
            await socket.CloseAsync();
            return (handles.Item1, handles.Item2, list);
        });
        Assert.Multiple(() =>
        {
            foreach (var (call, errno, message) in failures)
            {
                var descriptor = call == "sendto" ? udpFd : fd;
                Assert.That(message, Does.StartWith(call).And.Contain($"descriptor {descriptor}").And.Contain(errno), call);
            }
        });
    }

    /// <summary>
    /// The public constructor of <see cref="UnixException"/> and <see cref="UnixSocket.Shutdown"/> check their arguments:
    /// a null syscall once made an exception whose message began with ": " and whose non-nullable Syscall was null, and a
    /// direction outside the enum was passed to shutdown(2), which reported EINVAL as if the system call had failed.
    /// </summary>
    [Test]
    public void PublicArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new UnixException(Errno.EBADF, null!));
        var error = Run(async () =>
        {
            var socket = await UnixSocket.TcpV4Async();
            try
            {
                socket.Shutdown((SocketShutdown)7);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
            finally
            {
                await socket.CloseAsync();
            }
        });
        Assert.That(error, Is.TypeOf<ArgumentOutOfRangeException>(), error?.ToString());
    }

    [Test]
    public void PeerResetsMidRead()
    {
        var error = Run(async () =>
        {
            var server = await ListenAsync();
            var reading = await Fiber.SpawnAsync(async () =>
            {
                var peer = await server.AcceptAsync();
                try
                {
                    await peer.ReadAsync(new byte[16]); // blocks: the client never writes, it resets
                    return null;
                }
                catch (UnixException e)
                {
                    return e;
                }
                finally
                {
                    await peer.CloseAsync();
                }
            });
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            await Fiber.YieldAsync(); // let the server accept and block in its read
            TestLibc.LingerZero(client.Handle);
            await client.CloseAsync(); // sends RST
            var result = await Fiber.AwaitAsync(reading);
            await server.CloseAsync();
            return result;
        });
        Assert.That(error, Is.Not.Null, "a reset peer must fail the blocked read");
        Assert.That(error!.IsReset, Is.True, error.Message);
    }

    [Test]
    public void WriteToClosedPeerIsAnExceptionNotSigpipe()
    {
        var error = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync();
            await peer.CloseAsync();
            // The first write may still be accepted by the kernel; the peer answers it with a reset, after which
            // writes fail. Bounded: a few hundred attempts at most (each waits for the peer's answer to arrive).
            UnixException? failure = null;
            for (var i = 0; i < 500 && failure is null; i++)
            {
                try
                {
                    await client.WriteAsync(Bytes("are you there?"));
                    await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(1));
                }
                catch (UnixException e)
                {
                    failure = e;
                }
            }

            await client.CloseAsync();
            await server.CloseAsync();
            return failure;
        });
        Assert.That(error, Is.Not.Null, "writing to a closed peer must eventually fail");
        Assert.That(error!.IsClosedPeer, Is.True, error.Message);
    }

    [Test]
    public void UnreachableAddress()
    {
        // An IPv6-only socket cannot reach an IPv4-mapped address: ENETUNREACH at once, with no packet sent anywhere.
        var error = Run(async () =>
        {
            var client = await UnixSocket.TcpV6Async();
            TestLibc.V6Only(client.Handle);
            try
            {
                await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 9));
                return null;
            }
            catch (UnixException e)
            {
                return e;
            }
            finally
            {
                await client.CloseAsync();
            }
        });
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.IsUnreachable, Is.True, error.Message);
    }

    [Test]
    public void ReallyReadThrowsEndOfStreamOnEarlyEof()
    {
        var error = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync();
            await peer.WriteAsync(Bytes("abc"));
            await peer.CloseAsync();
            try
            {
                await client.ReallyReadAsync(new byte[10]);
                return null;
            }
            catch (EndOfStreamException e)
            {
                return e;
            }
            finally
            {
                await client.CloseAsync();
                await server.CloseAsync();
            }
        });
        Assert.That(error?.Message, Does.Contain("after 3 of 10 bytes"));
    }

    [Test]
    public void ClosingWhileAnotherTaskReadsWakesItWithObjectDisposed()
    {
        var error = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync();
            var reading = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await client.ReadAsync(new byte[4]);
                    return null;
                }
                catch (ObjectDisposedException e)
                {
                    return e;
                }
            });
            await Fiber.YieldAsync();
            await client.CloseAsync();
            var result = await Fiber.AwaitAsync(reading);
            await peer.CloseAsync();
            await server.CloseAsync();
            return result;
        });
        Assert.That(error, Is.Not.Null, "the reader is resumed and told the socket is closed, not left waiting");
    }

    [Test]
    public void BindingAnAddressInUseSaysSo()
    {
        // errno is read before the message is formatted: formatting (and the JIT compiling the cold path on its first
        // failure) may overwrite the runtime's stored last error, which once made this "Unknown error 203".
        var error = Run(async () =>
        {
            var holder = await UnixSocket.TcpV4Async();
            holder.BindAndListen(LoopbackV4, reusePort: false);
            var second = await UnixSocket.TcpV4Async();
            try
            {
                second.BindAndListen(holder.LocalEndPoint!, reusePort: false);
                return null;
            }
            catch (UnixException e)
            {
                return e;
            }
            finally
            {
                await second.CloseAsync();
                await holder.CloseAsync();
            }
        });
        Assert.That(error?.Errno, Is.EqualTo(Errno.EADDRINUSE), error?.Message);
    }

    [Test]
    public void WritingToAClosedSocketFailsInTheFiberNotAtTheCall()
    {
        // WriteAsync sends at once when it can, without a frame; every failure must still come out of the fiber.
        var (thrownAtCall, error) = Run(async () =>
        {
            var socket = await UnixSocket.TcpV4Async();
            await socket.CloseAsync();
            Fiber writing;
            try
            {
                writing = socket.WriteAsync(Bytes("x"));
            }
            catch (ObjectDisposedException)
            {
                return (true, (Exception?)null);
            }

            try
            {
                await writing;
                return (false, null);
            }
            catch (ObjectDisposedException e)
            {
                return (false, e);
            }
        });
        Assert.That(thrownAtCall, Is.False, "the call returned a fiber");
        Assert.That(error, Is.Not.Null, "awaiting it reported the closed socket");
    }
}
