// An echo server in the shape of the original Miou tutorial: one fiber per connection, spawned into an orphans
// collection that the accept loop cleans up as it goes.
//
//   dotnet run --project samples/Echo -c Release -- [PORT] [--connections N]
//
// PORT defaults to 9000 (0 picks a free one; the chosen port is printed). With --connections N the server accepts N
// connections, waits until all of them are closed, and exits — the bounded mode the benchmark and CI use. Without it
// the server runs until killed.
//
// Written by hand as 'async Fiber' for now; with the generator these become [Fiber] methods in direct style (the same
// code with the awaits and the 'Async' suffixes removed).
using System.Net;
using Miou;
using Miou.Unix;

var port = 9000;
int? connections = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--connections" && i + 1 < args.Length)
    {
        connections = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    }
    else
    {
        port = int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture);
    }
}

var served = UnixRun.Run(() => EchoServer.ServeAsync(new IPEndPoint(IPAddress.Loopback, port), connections, Console.Out));
Console.WriteLine($"served {served} connections");

/// <summary>The server: an accept loop, one handler fiber per client, and the clean-up of finished handlers.</summary>
internal static class EchoServer
{
    /// <summary>Serves <paramref name="at"/> until <paramref name="connections"/> clients have come and gone (forever if null).</summary>
    internal static async Fiber<int> ServeAsync(IPEndPoint at, int? connections, TextWriter log)
    {
        var server = await UnixSocket.TcpV4Async();
        server.BindAndListen(at, backlog: 128);
        log.WriteLine($"listening on {server.LocalEndPoint}");
        log.Flush();
        var handlers = new Orphans<Unit>();
        var accepted = 0;
        while (connections is null || accepted < connections)
        {
            await CleanUpAsync(handlers, log);
            var client = await server.AcceptAsync();
            client.SetNoDelay(true);
            // The handler owns the client from now on: however it ends, the client gets closed.
            await Fiber.SpawnAsync(() => HandleAsync(client), handlers, give: [client.Resource]);
            accepted++;
        }

        await server.CloseAsync();
        while (await handlers.GetAsync() is { } outcome)
        {
            Report(outcome, log);
        }

        return accepted;
    }

    /// <summary>Echoes what the client sends until it closes its end.</summary>
    private static async Fiber HandleAsync(UnixSocket client)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var n = await client.ReadAsync(buffer);
            if (n == 0)
            {
                break;
            }

            await client.WriteAsync(buffer.AsMemory(0, n));
        }

        await client.CloseAsync();
    }

    /// <summary>Collects every handler that has finished (the original tutorial's <c>clean_up</c>).</summary>
    private static async Fiber CleanUpAsync(Orphans<Unit> handlers, TextWriter log)
    {
        while (await handlers.CareAsync() is { } done)
        {
            Report(await Fiber.AwaitResultAsync(done), log);
        }
    }

    private static void Report(Result<Unit> outcome, TextWriter log)
    {
        if (outcome.Error is { } error)
        {
            log.WriteLine($"a connection ended with {error.GetType().Name}: {error.Message}"); // a reset client is not the server's failure
        }
    }
}
