using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Miou.Unix.Tests;

/// <summary>
/// A socket closed on one domain while a task of another domain is between reading its descriptor number and the system
/// call that uses it: the number must not be freed before that call leaves, else the call lands on whatever file reused
/// the number meanwhile (here pipes opened right after the close) and data goes to or comes from the wrong file.
/// </summary>
/// <remarks>
/// A stress test bounded in time: each round a worker task reads (or writes) the socket in a tight loop while dom0 closes
/// it and at once duplicates ends of pipes (the write ends for a writer, the read ends, with a byte in, for a
/// reader), which take the lowest free numbers — the socket's first. It fails if any pipe ever
/// receives the socket's bytes, if the reader ever reads a pipe's bytes, or if the worker's operation fails with
/// anything but <see cref="ObjectDisposedException"/> (an EBADF from a pipe end of the wrong direction is the same
/// defect). The descriptors are /dev/null and /dev/zero adopted with <see cref="UnixSocket.FromDescriptorAsync"/>: they
/// never block, so the worker never suspends and is always inside or near a system call on the descriptor.
/// </remarks>
public class DescriptorReuse : UnixTest
{
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int PipesPerRound = 4;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int pipe2([Out] int[] fds, int flags);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern nint read(int fd, [Out] byte[] buffer, nuint count);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nuint count);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int dup(int fd);

    private sealed record Tally(int Rounds, int WrongData, int WrongErrors, string? FirstWrong);

    /// <summary>A write in flight (<paramref name="writer"/>) never lands on a pipe, a read in flight never takes from one.</summary>
    [TestCase(true, 1UL)]
    [TestCase(true, 2UL)]
    [TestCase(true, 3UL)]
    [TestCase(false, 1UL)]
    [TestCase(false, 2UL)]
    [TestCase(false, 3UL)]
    public void ACallInFlightNeverReachesAFileThatReusedTheNumber(bool writer, ulong seed)
    {
        var tally = Stress(seed, writer);
        TestContext.Out.WriteLine($"{(writer ? "writer" : "reader")}, seed {seed}: {tally}");
        Assert.That(tally.Rounds, Is.GreaterThan(10), "enough rounds to mean something");
        Assert.That((tally.WrongData, tally.WrongErrors), Is.EqualTo((0, 0)), $"first: {tally.FirstWrong}");
    }

    private static Tally Stress(ulong seed, bool writer) => Run(async () =>
    {
        int rounds = 0, wrongData = 0, wrongErrors = 0;
        string? first = null;
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < Duration)
        {
            rounds++;
            var fd = open(writer ? "/dev/null" : "/dev/zero", (writer ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
            Assert.That(fd, Is.GreaterThanOrEqualTo(0), "open");
            var socket = await UnixSocket.FromDescriptorAsync(fd);
            var started = new StrongBox<int>();
            var worker = await Fiber.CallAsync(() => writer ? WriteUntilClosedAsync(socket, started) : ReadUntilClosedAsync(socket, started));
            while (Volatile.Read(ref started.Value) == 0)
            {
                await Fiber.YieldAsync(); // the worker runs on the other domain: let it reach its loop
            }

            var pipes = OpenPipes(fill: !writer);
            await socket.CloseAsync();
            var copies = new int[PipesPerRound];
            for (var i = 0; i < PipesPerRound; i++)
            {
                // dup takes the lowest free number, the socket's first: the pipe end a stray call of the worker would use.
                copies[i] = dup(pipes[(2 * i) + (writer ? 1 : 0)]);
            }

            var wrong = await Fiber.AwaitAsync(worker);
            if (wrong is not null)
            {
                (wrong.StartsWith("data", StringComparison.Ordinal) ? ref wrongData : ref wrongErrors)++;
                first ??= $"round {rounds}, descriptor {fd}: {wrong}";
            }

            for (var i = 0; i < PipesPerRound; i++)
            {
                if (writer && Drain(pipes[2 * i]) is > 0 and var stray)
                {
                    wrongData++;
                    first ??= $"round {rounds}, descriptor {fd}: a pipe (read end {pipes[2 * i]}) received {stray} bytes of the socket";
                }

                _ = close(pipes[2 * i]);
                _ = close(pipes[(2 * i) + 1]);
                _ = close(copies[i]);
            }
        }

        return new Tally(rounds, wrongData, wrongErrors, first);
    }, new RunOptions { Domains = 2, Seed = seed });

    /// <summary>Writes 'S' bytes until the socket is closed; null, or what went wrong.</summary>
    private static async Fiber<string?> WriteUntilClosedAsync(UnixSocket socket, StrongBox<int> started)
    {
        var bytes = "SSSSSSSS"u8.ToArray();
        try
        {
            while (true)
            {
                await socket.WriteAsync(bytes);
                Volatile.Write(ref started.Value, 1);
            }
        }
        catch (ObjectDisposedException)
        {
            return null; // what a closed socket says
        }
        catch (UnixException e)
        {
            return $"error after the close: {e.Message}";
        }
    }

    /// <summary>Reads (zeros) until the socket is closed; null, or what went wrong.</summary>
    private static async Fiber<string?> ReadUntilClosedAsync(UnixSocket socket, StrongBox<int> started)
    {
        var buffer = new byte[8];
        try
        {
            while (true)
            {
                var n = await socket.ReadAsync(buffer);
                if (buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) >= 0)
                {
                    return $"data: the socket's read returned a pipe's bytes ({n} bytes)";
                }

                Volatile.Write(ref started.Value, 1);
            }
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        catch (UnixException e)
        {
            return $"error after the close: {e.Message}";
        }
    }

    /// <summary>Opens pipes (read end, write end, …); with one byte each if <paramref name="fill"/>.</summary>
    private static int[] OpenPipes(bool fill)
    {
        var pipes = new int[2 * PipesPerRound];
        var pair = new int[2];
        for (var i = 0; i < PipesPerRound; i++)
        {
            Assert.That(pipe2(pair, O_NONBLOCK | O_CLOEXEC), Is.Zero, "pipe2");
            (pipes[2 * i], pipes[(2 * i) + 1]) = (pair[0], pair[1]);
            if (fill)
            {
                _ = write(pair[1], "P"u8.ToArray(), 1); // something a stray read would take
            }
        }

        return pipes;
    }

    /// <summary>The bytes waiting in a non-blocking pipe's read end.</summary>
    private static int Drain(int fd)
    {
        var buffer = new byte[4096];
        var total = 0;
        nint n;
        while ((n = read(fd, buffer, (nuint)buffer.Length)) > 0)
        {
            total += (int)n;
        }

        return total;
    }
}
