namespace Miou.Unix.Tests;

public class Concurrency : UnixTest
{
    /// <summary>One handler fiber per connection, spawned into an orphans collection (the echo sample's shape).</summary>
    private static async Fiber<int> ServeAsync(UnixSocket server, int connections)
    {
        var handlers = new Orphans<Unit>();
        for (var i = 0; i < connections; i++)
        {
            var client = await server.AcceptAsync();
            await Fiber.SpawnAsync(async () =>
            {
                var buffer = new byte[256];
                int n;
                while ((n = await client.ReadAsync(buffer)) > 0)
                {
                    await client.WriteAsync(buffer.AsMemory(0, n));
                }

                await client.CloseAsync();
            }, handlers, give: [client.Resource]);
        }

        var failures = 0;
        while (await handlers.GetAsync() is { } outcome)
        {
            failures += outcome.IsOk ? 0 : 1;
        }

        return failures;
    }

    [TestCase(1000, 3, 1UL)]
    [TestCase(1000, 3, 2UL)]
    public void ThousandConcurrentConnectionsEcho(int connections, int rounds, ulong seed)
    {
        var (failures, correct) = Run(async () =>
        {
            var server = await ListenAsync(backlog: connections);
            var serving = await Fiber.SpawnAsync(() => ServeAsync(server, connections));
            var clients = new List<Promise<bool>>(connections);
            for (var c = 0; c < connections; c++)
            {
                var id = c;
                clients.Add(await Fiber.SpawnAsync(async () =>
                {
                    var socket = await UnixSocket.TcpV4Async();
                    await socket.ConnectAsync(server.LocalEndPoint!);
                    var ok = true;
                    for (var r = 0; r < rounds; r++)
                    {
                        var message = Bytes($"client {id} round {r}");
                        await socket.WriteAsync(message);
                        var reply = new byte[message.Length];
                        await socket.ReallyReadAsync(reply);
                        ok &= reply.AsSpan().SequenceEqual(message);
                    }

                    await socket.CloseAsync();
                    return ok;
                }));
            }

            var allCorrect = true;
            foreach (var client in clients)
            {
                allCorrect &= await Fiber.AwaitAsync(client);
            }

            var failed = await Fiber.AwaitAsync(serving);
            await server.CloseAsync();
            return (failed, allCorrect);
        }, Random(seed));
        Assert.That(failures, Is.Zero, "every handler ended normally");
        Assert.That(correct, Is.True, "every client got its own messages back");
    }
}
