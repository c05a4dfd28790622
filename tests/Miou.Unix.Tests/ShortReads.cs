namespace Miou.Unix.Tests;

/// <summary>
/// After a read that returns less than it asked for, the next read of the socket waits for the next edge without a
/// would-block read first (UnixEventLoop's remarks). These tests check that nothing is lost that way, under several
/// interleavings, and that a read that filled its buffer does not skip the system call.
/// </summary>
public class ShortReads : UnixTest
{
    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5, 6, 7, 8];

    /// <summary>
    /// A connected pair (server side, client side) and the listener, all owned by the calling task. The server side has
    /// waited once for its first byte, so it is in the loop's epoll set, and then read it with a short read: the next
    /// read of the server side waits at once.
    /// </summary>
    private static async Fiber<(UnixSocket Server, UnixSocket Client, UnixSocket Listener)> DrainedPairAsync()
    {
        var listener = await ListenAsync();
        var client = await UnixSocket.TcpV4Async();
        await client.ConnectAsync(listener.LocalEndPoint!); // the listener's backlog completes it before any accept
        var server = await listener.AcceptAsync();
        var writer = await Fiber.SpawnAsync(async () =>
        {
            await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(2));
            await client.WriteAsync(Bytes("a"));
        });
        var n = await server.ReadAsync(new byte[16]); // nothing yet: it waits, which puts the socket in the epoll set
        await Fiber.AwaitAsync(writer);
        Assert.That(n, Is.EqualTo(1), "the priming read");
        return (server, client, listener);
    }

    private static async Fiber CloseAllAsync(params UnixSocket[] sockets)
    {
        foreach (var socket in sockets)
        {
            await socket.CloseAsync();
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void Data_that_arrives_after_a_short_read_is_read_by_a_reader_that_skipped_the_would_block(ulong seed)
    {
        var (text, skipped) = Run(async () =>
        {
            var (server, client, listener) = await DrainedPairAsync();
            var writer = await Fiber.SpawnAsync(async () =>
            {
                await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(2));
                await client.WriteAsync(Bytes("bc"));
            });
            var buffer = new byte[16];
            var skippedBefore = Loop.SkippedReads;
            var n = await server.ReadAsync(buffer);
            var skipped = Loop.SkippedReads - skippedBefore;
            await Fiber.AwaitAsync(writer);
            await CloseAllAsync(server, client, listener);
            return (Text(buffer.AsSpan(0, n)), skipped);
        }, Random(seed));

        Assert.That(text, Is.EqualTo("bc"), $"seed {seed}");
        Assert.That(skipped, Is.EqualTo(1), $"seed {seed}: the read waited without a would-block read");
    }

    [TestCaseSource(nameof(Seeds))]
    public void Data_that_arrived_before_the_read_skipped_its_system_call_is_still_read(ulong seed)
    {
        // The peer writes before the reader's next read: the read still skips (no edge has been collected yet) and waits;
        // the edge is in the epoll set's ready list, so the loop's next epoll_wait wakes it.
        var (text, skipped) = Run(async () =>
        {
            var (server, client, listener) = await DrainedPairAsync();
            await client.WriteAsync(Bytes("z"));
            var buffer = new byte[16];
            var skippedBefore = Loop.SkippedReads;
            var n = await server.ReadAsync(buffer);
            var skipped = Loop.SkippedReads - skippedBefore;
            await CloseAllAsync(server, client, listener);
            return (Text(buffer.AsSpan(0, n)), skipped);
        }, Random(seed));

        Assert.That(text, Is.EqualTo("z"), $"seed {seed}");
        Assert.That(skipped, Is.EqualTo(1), $"seed {seed}");
    }

    [Test]
    public void A_read_that_fills_its_buffer_does_not_skip_the_next_system_call()
    {
        var (parts, skipped) = Run(async () =>
        {
            var (server, client, listener) = await DrainedPairAsync();
            await client.WriteAsync(Bytes("abcdefgh"));
            await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(5)); // all eight bytes are in the server's queue
            var buffer = new byte[4];
            var parts = new List<string>();
            var skippedBefore = Loop.SkippedReads;
            for (var i = 0; i < 2; i++)
            {
                var n = await server.ReadAsync(buffer); // full reads: the queue may hold more, so each read asks the kernel
                parts.Add(Text(buffer.AsSpan(0, n)));
            }

            var skipped = Loop.SkippedReads - skippedBefore;
            await CloseAllAsync(server, client, listener);
            return (parts, skipped);
        });

        Assert.That(parts, Is.EqualTo(new[] { "abcd", "efgh" }));
        Assert.That(skipped, Is.Zero);
    }

    [TestCaseSource(nameof(Seeds))]
    public void Data_and_end_of_file_that_arrive_together_are_read_as_data_then_zero(ulong seed)
    {
        // One edge reports both: after the short read of the data no further edge will come, so the next read must ask
        // the kernel (and get 0) instead of waiting for an edge — the hang a first version of the rule had.
        var (text, end) = Run(async () =>
        {
            var (server, client, listener) = await DrainedPairAsync();
            await client.WriteAsync(Bytes("xyz"));
            await client.CloseAsync();
            await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(2)); // both have arrived; the loop may have collected the edge
            var buffer = new byte[16];
            var n = await server.ReadAsync(buffer);
            var end = await server.ReadAsync(buffer);
            await CloseAllAsync(server, listener);
            return (Text(buffer.AsSpan(0, n)), end);
        }, Random(seed));

        Assert.That(text, Is.EqualTo("xyz"), $"seed {seed}");
        Assert.That(end, Is.Zero, $"seed {seed}");
    }

    [TestCaseSource(nameof(Seeds))]
    public void End_of_file_after_a_short_read_wakes_the_reader_with_zero(ulong seed)
    {
        var end = Run(async () =>
        {
            var (server, client, listener) = await DrainedPairAsync();
            var closing = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.YieldAsync();
                await client.CloseAsync(); // a shutdown the waiting reader must see as end of file
            }, give: [client.Resource]);
            var end = await server.ReadAsync(new byte[16]);
            await Fiber.AwaitAsync(closing);
            await CloseAllAsync(server, listener);
            return end;
        }, Random(seed));

        Assert.That(end, Is.Zero, $"seed {seed}");
    }
}
