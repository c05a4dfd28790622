namespace Miou.Unix.Tests;

/// <summary>Every domain has its own event loop: a task on a worker does its I/O on that worker's epoll set.</summary>
public class Domains : UnixTest
{
    private static RunOptions Workers(ulong seed) => new() { Domains = 2, Seed = seed };

    [TestCase(1UL)]
    [TestCase(2UL)]
    public void EchoEntirelyOnAWorker(ulong seed)
    {
        var (dom0Loop, worker) = Run(async () =>
        {
            var dom0 = Loop.Domain;
            var onWorker = await Fiber.CallAsync(async () =>
            {
                var server = await ListenAsync();
                var serving = await Fiber.SpawnAsync(async () =>
                {
                    var peer = await server.AcceptAsync();
                    var buffer = new byte[16];
                    var n = await peer.ReadAsync(buffer);
                    await peer.WriteAsync(buffer.AsMemory(0, n));
                    await peer.CloseAsync();
                });
                var client = await UnixSocket.TcpV4Async();
                await client.ConnectAsync(server.LocalEndPoint!);
                await client.WriteAsync(Bytes("on a worker"));
                var reply = new byte[11];
                await client.ReallyReadAsync(reply);
                await client.CloseAsync();
                await Fiber.AwaitAsync(serving);
                await server.CloseAsync();
                return (Text(reply), Loop.Domain, await Domain.SelfAsync());
            });
            var result = await Fiber.AwaitAsync(onWorker);
            return (dom0, result);
        }, Workers(seed));
        Assert.That(dom0Loop, Is.EqualTo(Domain.Dom0));
        Assert.That(worker.Item1, Is.EqualTo("on a worker"));
        Assert.That(worker.Item2, Is.Not.EqualTo(Domain.Dom0), "the worker used its own loop");
        Assert.That(worker.Item2, Is.EqualTo(worker.Item3), "the loop of the domain the task runs on");
    }

    [TestCase(1UL)]
    [TestCase(2UL)]
    public void ServerOnDom0ClientsOnWorkers(ulong seed)
    {
        const int clients = 20;
        var replies = Run(async () =>
        {
            var server = await ListenAsync(backlog: clients);
            var serving = await Fiber.SpawnAsync(async () =>
            {
                var handlers = new Orphans<Unit>();
                for (var i = 0; i < clients; i++)
                {
                    var peer = await server.AcceptAsync();
                    await Fiber.SpawnAsync(async () =>
                    {
                        var buffer = new byte[32];
                        var n = await peer.ReadAsync(buffer);
                        await peer.WriteAsync(buffer.AsMemory(0, n));
                        await peer.CloseAsync();
                    }, handlers, give: [peer.Resource]);
                }

                while (await handlers.GetAsync() is { } outcome)
                {
                    outcome.ValueOrThrow();
                }
            });
            var at = server.LocalEndPoint!;
            var callers = new List<Promise<string>>();
            for (var i = 0; i < clients; i++)
            {
                var id = i;
                callers.Add(await Fiber.CallAsync(async () =>
                {
                    var client = await UnixSocket.TcpV4Async();
                    await client.ConnectAsync(at);
                    await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(id % 3)); // sleepers on the worker's heap too
                    await client.WriteAsync(Bytes($"hello {id}"));
                    var buffer = new byte[32];
                    var n = await client.ReadAsync(buffer);
                    await client.CloseAsync();
                    return Text(buffer.AsSpan(0, n));
                }));
            }

            var got = new List<string>();
            foreach (var caller in callers)
            {
                got.Add(await Fiber.AwaitAsync(caller));
            }

            await Fiber.AwaitAsync(serving);
            await server.CloseAsync();
            return got;
        }, Workers(seed));
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, clients).Select(i => $"hello {i}")));
    }

    /// <summary>
    /// Closing a socket wakes the tasks waiting on it on every domain, not only on the closer's: the kernel silently drops
    /// a closed descriptor from every epoll set (epoll has no POLLNVAL), so a reader on a worker whose socket dom0 closed
    /// once waited forever.
    /// </summary>
    [Test]
    public void ClosingOnDom0WakesAReaderOnAWorker()
    {
        var (outcome, pendingOnWorker) = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync(); // never writes
            var reading = await Fiber.CallAsync(async () =>
            {
                try
                {
                    await client.ReadAsync(new byte[4]);
                    return ("read", -1);
                }
                catch (ObjectDisposedException)
                {
                    return ("closed", Loop.PendingWaits);
                }
            });
            await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(20)); // the worker's read suspends meanwhile
            await client.CloseAsync();
            // Bounded: if the reader is not woken, the sleeper wins and the reader is cancelled.
            var timer = await Fiber.SpawnAsync(async () =>
            {
                await UnixIO.SleepAsync(TimeSpan.FromSeconds(2));
                return ("still waiting", -1);
            });
            var first = await Fiber.AwaitFirstAsync(reading, timer);
            await peer.CloseAsync();
            await server.CloseAsync();
            return first.ValueOrThrow();
        }, Workers(4));
        Assert.That(outcome, Is.EqualTo("closed"), "the worker's reader was resumed and told the socket is closed");
        Assert.That(pendingOnWorker, Is.Zero, "and its wait left the worker's loop");
    }

    /// <summary>
    /// Several domains accepting on one listening socket at once (the multi-domain accept loop) each wait on it in their
    /// own loop. The socket's cached waiter was once taken by a plain check of a flag, so two domains could take it at
    /// the same moment, and one suspended on the other's syscall: "This syscall does not belong to the current domain".
    /// </summary>
    [TestCase(1UL)]
    [TestCase(2UL)]
    [TestCase(3UL)]
    [TestCase(4UL)]
    public void AcceptingOnOneSocketFromSeveralDomainsAtOnce(ulong seed)
    {
        const int clients = 2000;
        var accepted = Run(async () =>
        {
            var server = await ListenAsync(backlog: 512);
            var at = server.LocalEndPoint!;
            var claimed = 0;
            var acceptors = new List<Promise<int>>();
            for (var i = 0; i < 6; i++) // on the workers, in turn
            {
                acceptors.Add(await Fiber.CallAsync(async () =>
                {
                    var mine = 0;
                    while (Interlocked.Increment(ref claimed) <= clients)
                    {
                        var peer = await server.AcceptAsync();
                        await peer.CloseAsync();
                        mine++;
                    }

                    return mine;
                }));
            }

            for (var i = 0; i < clients; i++)
            {
                var client = await UnixSocket.TcpV4Async();
                await client.ConnectAsync(at);
                await client.CloseAsync();
                if (i % 7 == 0)
                {
                    await UnixIO.SleepAsync(TimeSpan.FromMilliseconds(1)); // let the acceptors drain the backlog and wait again
                }
            }

            var total = 0;
            foreach (var acceptor in acceptors)
            {
                total += await Fiber.AwaitAsync(acceptor);
            }

            await server.CloseAsync();
            return total;
        }, new RunOptions { Domains = 3, Seed = seed });
        Assert.That(accepted, Is.EqualTo(clients));
    }

    [Test]
    public void ReadBlockedOnAWorkerCancelledFromDom0()
    {
        var (error, closed) = Run(async () =>
        {
            var server = await ListenAsync();
            var at = server.LocalEndPoint!;
            UnixSocket? socket = null;
            var reading = await Fiber.CallAsync(async () =>
            {
                socket = await UnixSocket.TcpV4Async();
                await socket.ConnectAsync(at);
                await socket.ReadAsync(new byte[4]); // nobody writes
                await socket.CloseAsync();
            });
            var peer = await server.AcceptAsync(); // the worker has connected: its read follows
            await Fiber.CancelAsync(reading);
            var outcome = await Fiber.AwaitResultAsync(reading);
            await peer.CloseAsync();
            await server.CloseAsync();
            return (outcome.Error, socket!.IsClosed);
        }, Workers(3));
        Assert.That(error, Is.TypeOf<CancelledException>());
        Assert.That(closed, Is.True, "the worker's finaliser closed the socket it owned");
    }
}
