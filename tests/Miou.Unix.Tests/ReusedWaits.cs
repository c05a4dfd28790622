namespace Miou.Unix.Tests;

/// <summary>
/// A socket's waits suspend again on the syscall of its previous wait (<c>Fiber.SuspendAgainAsync</c>) instead of a new
/// one: each wait is still its own (a new id, resumed only by its own readiness), and a cancelled one still leaves the
/// loop's tables and the epoll set at once.
/// </summary>
public class ReusedWaits : UnixTest
{
    private static readonly UnixOptions PollEveryStep = new() { PollInterval = 1 };

    /// <summary>A connected pair (client side, server side) and the listener, all owned by the calling task.</summary>
    private static async Fiber<(UnixSocket Client, UnixSocket Peer, UnixSocket Listener)> PairAsync()
    {
        var listener = await ListenAsync();
        var client = await UnixSocket.TcpV4Async();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var peer = await listener.AcceptAsync();
        return (client, peer, listener);
    }

    private static async Fiber CloseAllAsync(params UnixSocket[] sockets)
    {
        foreach (var socket in sockets)
        {
            await socket.CloseAsync();
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="socket"/> a little later, from a child, so that a read of the other end waits for it.</summary>
    private static async Fiber<Promise> WriteLaterAsync(UnixSocket socket, string text) => await Fiber.SpawnAsync(async () =>
    {
        await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(2));
        await socket.WriteAsync(Bytes(text));
    });

    [Test]
    public void Successive_waits_of_a_socket_suspend_on_one_syscall_each_under_a_new_id()
    {
        var trace = new List<TraceEvent>();
        var (texts, sameSyscall) = Run(async () =>
        {
            var (client, peer, listener) = await PairAsync();
            var texts = new List<string>();
            var syscalls = new List<Syscall?>();
            var buffer = new byte[16];
            for (var i = 0; i < 5; i++)
            {
                var writer = await WriteLaterAsync(peer, $"m{i}");
                var n = await client.ReadAsync(buffer); // nothing there yet: it waits
                texts.Add(Text(buffer.AsSpan(0, n)));
                syscalls.Add(client.ReaderSyscall);
                await Fiber.AwaitAsync(writer);
            }

            await CloseAllAsync(client, peer, listener);
            return (texts, syscalls.All(s => s is not null && ReferenceEquals(s, syscalls[0])));
        }, Fifo with { Trace = trace.Add });

        Assert.That(texts, Is.EqualTo(new[] { "m0", "m1", "m2", "m3", "m4" }));
        Assert.That(sameSyscall, Is.True, "the five waits suspended on the socket's one syscall");
        var reads = trace.Where(e => e.Kind == TraceKind.Suspend && e.Name == "read").Select(e => e.Other).ToList();
        Assert.That(reads, Has.Count.EqualTo(5), "one suspension per read");
        Assert.That(reads.Distinct().Count(), Is.EqualTo(5), "each under its own id");
    }

    [Test]
    public void A_wait_after_a_signalled_then_cancelled_wait_is_not_woken_by_the_old_signal()
    {
        var trace = new List<TraceEvent>();
        var observed = Run(async () =>
        {
            var (client, peer, listener) = await PairAsync();
            var reader = await Fiber.SpawnAsync(async () => await client.ReadAsync(new byte[16]));
            while (Loop.PendingWaits == 0)
            {
                await Fiber.YieldAsync(); // until the reader has registered its wait
            }

            // FIFO, two operations per slot, and the loop asks the kernel at every step: this slot writes and answers the
            // cancel's first scheduling point, then the select after it reports the edge and queues the reader behind this
            // task, whose next slot dispatches the cancellation, which runs before the reader does.
            await peer.WriteAsync(Bytes("x"));
            await Fiber.CancelAsync(reader);
            var outcome = await Fiber.AwaitResultAsync(reader);
            var buffer = new byte[16];
            var first = Text(buffer.AsSpan(0, await client.ReadAsync(buffer))); // what the cancelled reader never got
            var writer = await WriteLaterAsync(peer, "y");
            var suspendsBefore = trace.Count(e => e.Kind == TraceKind.Suspend && e.Name == "read");
            var second = Text(buffer.AsSpan(0, await client.ReadAsync(buffer))); // waits on the same syscall again
            var suspends = trace.Count(e => e.Kind == TraceKind.Suspend && e.Name == "read") - suspendsBefore;
            await Fiber.AwaitAsync(writer);
            await CloseAllAsync(client, peer, listener);
            return (ReaderId: reader.Id, outcome.Error, first, second, suspends);
        }, Fifo with { Quanta = 2, Trace = trace.Add }, PollEveryStep);

        var ofReader = trace.Where(e => e.PromiseId == observed.ReaderId).Select(e => e.Kind).ToList();
        Assert.That(ofReader.IndexOf(TraceKind.Resume), Is.GreaterThanOrEqualTo(0).And.LessThan(ofReader.IndexOf(TraceKind.Cancelled)),
            "the reader's wait was signalled, then cancelled before it ran");
        Assert.That(observed.Error, Is.TypeOf<CancelledException>());
        Assert.That(observed.first, Is.EqualTo("x"));
        Assert.That(observed.second, Is.EqualTo("y"));
        Assert.That(observed.suspends, Is.EqualTo(1), "the next wait suspended once and was resumed by its own edge, not at once by the old signal");
    }

    [Test]
    public void A_cancelled_wait_on_a_reused_syscall_leaves_the_loop_and_the_epoll_set_at_once()
    {
        var trace = new List<TraceEvent>();
        var observed = Run(async () =>
        {
            var (client, peer, listener) = await PairAsync();
            var first = client.ReaderSyscall;
            var reader = await Fiber.SpawnAsync(async () =>
            {
                var buffer = new byte[16];
                await client.ReadAsync(buffer); // waits, then reads "a": the socket's reads now have their syscall
                await client.ReadAsync(buffer); // waits on it again, until cancelled
            });
            var writer = await WriteLaterAsync(peer, "a");
            await Fiber.AwaitAsync(writer);
            for (var i = 0; i < 1000 && !(Loop.PendingWaits == 1 && trace.Count(e => e.Kind == TraceKind.Suspend && e.Name == "read") == 2); i++)
            {
                await Fiber.YieldAsync(); // until the second wait is registered
            }

            var syscalls = (First: first, Reused: client.ReaderSyscall);
            var watchedWhileBlocked = Loop.WatchedDescriptors;
            await Fiber.CancelAsync(reader);
            var after = (Loop.PendingWaits, Loop.WatchedDescriptors);
            var outcome = await Fiber.AwaitResultAsync(reader);
            await CloseAllAsync(client, peer, listener);
            return (syscalls, watchedWhileBlocked, after, outcome.Error);
        }, Fifo with { Trace = trace.Add });

        var suspends = trace.Where(e => e.Kind == TraceKind.Suspend && e.Name == "read").ToList();
        Assert.That(observed.syscalls.First, Is.Null, "no read had waited before the reader's first");
        Assert.That(suspends.Select(e => e.Other).Distinct().Count(), Is.EqualTo(2), "two waits, two ids");
        Assert.That(observed.syscalls.Reused?.Id, Is.EqualTo(suspends[1].Other), "the second wait was on the socket's kept syscall");
        Assert.That(observed.watchedWhileBlocked, Is.EqualTo(1), "the blocked read had its descriptor in the epoll set");
        Assert.That(observed.after.PendingWaits, Is.Zero, "the cancelled wait left the loop's tables");
        Assert.That(observed.after.WatchedDescriptors, Is.Zero, "and its descriptor left the epoll set");
        Assert.That(observed.Error, Is.TypeOf<CancelledException>());
    }
}
