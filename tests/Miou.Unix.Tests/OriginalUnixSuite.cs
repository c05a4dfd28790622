using System.Diagnostics;
using System.IO.Pipes;
using System.Net.Sockets;

namespace Miou.Unix.Tests;

/// <summary>The original's <c>test/test_unix.ml</c>, U1–U5 (miou-tests.md §2), ported.</summary>
public class OriginalUnixSuite : UnixTest
{
    [OneTimeSetUp]
    public void StartOneProcess()
    {
        // .NET opens its child-reaping pipe at the first Process.Start of the process: not a test's leak.
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
    }

    /// <summary>Takes the read end of a child's redirected stdout away from .NET, which will no longer close it.</summary>
    private static int TakeStdout(Process process)
    {
        var handle = ((PipeStream)process.StandardOutput.BaseStream).SafePipeHandle;
        var fd = (int)handle.DangerousGetHandle();
        handle.SetHandleAsInvalid();
        return fd;
    }

    /// <remarks>
    /// The original relies on <c>select</c> after every step while a task is suspended: the pipe's end of file is noticed
    /// right after <c>wait</c> stops blocking dom0, so <c>read</c> terminates before the root chooses, and a success is
    /// preferred over <c>wait</c>'s failure. Miou.Unix asks the kernel only every <see cref="UnixOptions.PollInterval"/>-th
    /// non-blocking select by default, so the port runs with 1, the original's polling. Whether <c>true</c> has already
    /// exited when <c>read</c> first tries is a race with the child; <c>sleep 0.1</c> makes <c>read</c> wait first every
    /// time (the case that failed on a loaded CI machine with the default interval).
    /// </remarks>
    [TestCase("true", "")]
    [TestCase("sleep", "0.1")]
    public void U1_WaitingForEof(string program, string arguments)
    {
        var outcome = Run(async () =>
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = await UnixSocket.FromDescriptorAsync(TakeStdout(process)); // non-blocking, kind Unknown
            Assert.That(output.Kind, Is.EqualTo(SocketKind.Unknown));
            var read = await Fiber.SpawnAsync(async () => await output.ReadAsync(new byte[1]) == 0);
            var timeout = await Fiber.SpawnAsync(async () =>
            {
                await UnixIO.SleepAsync(TimeSpan.FromSeconds(1));
                return false;
            });
            var wait = await Fiber.SpawnAsync(async () =>
            {
                process.WaitForExit(); // blocks dom0, as the original's Unix.waitpid does
                if (process.ExitCode != 0 || !OperatingSystem.IsMacOS())
                {
                    throw new InvalidOperationException("Unexpected case");
                }

                return true;
            });
            var result = await Fiber.AwaitOneAsync(read, timeout, wait);
            foreach (var p in new[] { read, timeout, wait })
            {
                await Fiber.CancelAsync(p);
            }

            await output.CloseAsync();
            return result;
        }, Fifo, new UnixOptions { PollInterval = 1 });
        Assert.That(outcome.IsOk, Is.True, outcome.ToString());
        Assert.That(outcome.Value, Is.True, "the read saw end of file and won");
    }

    [Test]
    public void U2_ChildExitSignalledToAWaitingTask()
    {
        // The original installs a SIGCHLD handler with Miou.sys_signal, which this runtime does not have. The .NET way to
        // hear of a child's exit is Process.Exited, raised on a thread-pool thread: it wakes the root through a pipe
        // (the self-pipe trick) that the root waits on with UnixIO.WaitReadable — a foreign thread signalling a task.
        var (readEnd, writeEnd) = TestLibc.Pipe();
        try
        {
            var log = Run(async () =>
            {
                var buffer = new System.Text.StringBuilder();
                using var process = new Process { StartInfo = new ProcessStartInfo("sleep", "0.2") { UseShellExecute = false }, EnableRaisingEvents = true };
                process.Start();
                buffer.Append("sleep launched\n");
                process.Exited += (_, _) => TestLibc.WriteByte(writeEnd);
                if (process.HasExited)
                {
                    TestLibc.WriteByte(writeEnd); // it exited before the handler was installed
                }

                buffer.Append("signal handler installed\n");
                await UnixIO.WaitReadableAsync(readEnd);
                process.WaitForExit();
                buffer.Append($"WEXITED({process.ExitCode})\n");
                return buffer.ToString();
            });
            Assert.That(log, Is.EqualTo("sleep launched\nsignal handler installed\nWEXITED(0)\n"));
        }
        finally
        {
            TestLibc.close(readEnd);
            TestLibc.close(writeEnd);
        }
    }

    [Test]
    public void U3_UdpEchoWithSendToReceiveFrom()
    {
        var (a, b, x, y) = Run(async () =>
        {
            var server = await UnixSocket.UdpV4Async();
            server.BindAndListen(new IPEndPoint(IPAddress.Loopback, 0)); // a datagram socket is bound, not listened
            var address = server.LocalEndPoint!;
            var s = await Fiber.SpawnAsync(async () =>
            {
                var buffer = new byte[64];
                var (n, from) = await server.ReceiveFromAsync(buffer);
                var message = Text(buffer.AsSpan(0, n));
                var sent = await server.SendToAsync(Bytes(message.ToUpperInvariant()), from!);
                return (message, sent);
            });
            var c = await Fiber.SpawnAsync(async () =>
            {
                var client = await UnixSocket.UdpV4Async();
                var sent = await client.SendToAsync(Bytes("hello, world!"), address);
                var buffer = new byte[64];
                var (n, _) = await client.ReceiveFromAsync(buffer);
                await client.CloseAsync();
                return (sent, Text(buffer.AsSpan(0, n)));
            });
            var (message, echoed) = await Fiber.AwaitAsync(s);
            var (sentByClient, reply) = await Fiber.AwaitAsync(c);
            await server.CloseAsync();
            return (message, echoed, sentByClient, reply);
        });
        Assert.That(a, Is.EqualTo("hello, world!"));
        Assert.That(x, Is.EqualTo(13));
        Assert.That(b, Is.EqualTo(13));
        Assert.That(y, Is.EqualTo("HELLO, WORLD!"));
    }

    [Test]
    public void U4_TcpUdpGuards()
    {
        var checks = Run(async () =>
        {
            var udp = await UnixSocket.UdpV4Async();
            var tcp = await UnixSocket.TcpV4Async();
            var buffer = new byte[0x7ff];
            var results = new[]
            {
                await RaisesArgumentException(async () => await udp.ReadAsync(buffer)),
                await RaisesArgumentException(async () => await udp.WriteAsync(Bytes("x"))),
                await RaisesArgumentException(async () => await tcp.ReceiveFromAsync(buffer)),
                await RaisesArgumentException(async () => await tcp.SendToAsync(Bytes("x"), new IPEndPoint(IPAddress.Loopback, 0))),
                await RaisesArgumentException(async () => await udp.AcceptAsync()),
                await RaisesArgumentException(async () => await udp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, 9))),
            };
            await udp.CloseAsync();
            await tcp.CloseAsync();
            return results;
        });
        Assert.That(checks, Is.All.EqualTo("ArgumentException"), "read/write on UDP, recvfrom/sendto on TCP, accept/connect on UDP");
    }

    /// <summary>
    /// A blocking-mode datagram socket waits for readiness before its call, as every other blocking-mode operation does:
    /// its receive-from once called recvfrom(2) first, which blocked the domain's thread, so the timeout could not fire
    /// (here until a timer thread sends a datagram after 2 s, so that the defect fails the test instead of hanging it).
    /// </summary>
    [Test]
    public void ABlockingModeReceiveFromDoesNotBlockTheDomain()
    {
        var (a, b) = TestLibc.BlockingSocketPair(TestLibc.SOCK_DGRAM);
        var rescue = new Timer(_ => TestLibc.WriteByte(b), null, 2000, Timeout.Infinite);
        try
        {
            var outcome = Run(async () =>
            {
                var socket = await UnixSocket.FromDescriptorAsync(a, nonBlocking: false);
                try
                {
                    await UnixIO.WithTimeoutAsync(TimeSpan.FromMilliseconds(50), async () => await socket.ReceiveFromAsync(new byte[8]));
                    return "received";
                }
                catch (TimeoutException)
                {
                    return "timed out";
                }
                finally
                {
                    await socket.CloseAsync();
                }
            });
            Assert.That(outcome, Is.EqualTo("timed out"));
        }
        finally
        {
            using (var stopped = new ManualResetEvent(false))
            {
                rescue.Dispose(stopped);
                stopped.WaitOne(); // the callback, if it runs, is done with b
            }

            TestLibc.close(b);
        }
    }

    /// <summary>
    /// A descriptor that cannot be adopted (a socket neither stream nor datagram) is left as it was given: its
    /// <c>O_NONBLOCK</c> flag was once set before the kind was checked, so the refused descriptor, still the caller's,
    /// had silently become non-blocking.
    /// </summary>
    [Test]
    public void ARefusedAdoptionLeavesTheDescriptorAsItWas()
    {
        var (a, b) = TestLibc.BlockingSocketPair(TestLibc.SOCK_SEQPACKET);
        try
        {
            var refused = Run(async () =>
            {
                try
                {
                    var adopted = await UnixSocket.FromDescriptorAsync(a, nonBlocking: true);
                    await adopted.CloseAsync();
                    return null;
                }
                catch (ArgumentException e)
                {
                    return e;
                }
            });
            Assert.That(refused, Is.Not.Null, "a SOCK_SEQPACKET socket is refused");
            Assert.That(TestLibc.fcntl(a, TestLibc.F_GETFL, 0) & TestLibc.O_NONBLOCK, Is.Zero, "and still in blocking mode");
        }
        finally
        {
            TestLibc.close(a);
            TestLibc.close(b);
        }
    }

    /// <summary>Only an ArgumentException counts (the original's Invalid_argument); anything else is reported by name.</summary>
    private static async Fiber<string> RaisesArgumentException(Func<Fiber> operation)
    {
        try
        {
            await operation();
            return "no exception";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    [Test]
    public void U5_AFailingConnectSignalsTheWriter()
    {
        var result = Run(async () =>
        {
            var m = await UnixSocket.TcpV4Async();
            m.BindAndListen(new IPEndPoint(IPAddress.Loopback, 0), reusePort: false);
            var address = m.LocalEndPoint!;
            await m.CloseAsync(); // a closed port
            var socket = await UnixSocket.TcpV4Async();
            var connect = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await socket.ConnectAsync(address);
                    return "Connected";
                }
                catch (UnixException e) when (e.Errno == Errno.ECONNREFUSED)
                {
                    return "Refused";
                }
            });
            var timeout = await Fiber.SpawnAsync(async () =>
            {
                await UnixIO.SleepAsync(TimeSpan.FromSeconds(2));
                return "Timeout";
            });
            var r = await Fiber.AwaitOneAsync(connect, timeout);
            await Fiber.CancelAsync(connect);
            await Fiber.CancelAsync(timeout);
            await socket.CloseAsync();
            return r;
        });
        Assert.That(result.IsOk, Is.True, result.ToString());
        Assert.That(result.Value, Is.EqualTo("Refused"));
    }
}
