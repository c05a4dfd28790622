// An echo server in the shape of the original Miou tutorial: one fiber per connection, spawned into an orphans
// collection that the accept loop cleans up as it goes.
//
//   dotnet run --project samples/Echo -- --clients 10                    # ends on its own
//   dotnet run --project samples/Echo -c Release -- [PORT] [--connections N]
//
// With --clients N the program plays both sides: it serves on a free loopback port and runs N client fibers that each
// send a few lines and check the echo, then everything ends — the way to see it work without any other tool.
// Otherwise it serves PORT (default 9000; 0 picks a free one, printed) for outside clients; with --connections N it
// accepts N connections, waits until all of them are closed, and exits — the bounded mode the benchmark uses. Without
// either it runs until killed.
//
// Written by hand as 'async Fiber' for now; with the generator these become [Fiber] methods in direct style (the same
// code with the awaits and the 'Async' suffixes removed).
using System.Net;
using Miou;
using Miou.Unix;

var port = 9000;
int? connections = null;
int? clients = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--connections" when i + 1 < args.Length:
            connections = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--clients" when i + 1 < args.Length:
            clients = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        default:
            port = int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture);
            break;
    }
}

if (clients is { } n)
{
    var echoed = UnixRun.Run(() => Demo.RunAsync(n));
    Console.WriteLine($"{echoed} of {n} clients got their lines back");
    return echoed == n ? 0 : 1;
}

var served = UnixRun.Run(() => EchoServer.ServeAsync(new IPEndPoint(IPAddress.Loopback, port), connections, Console.Out));
Console.WriteLine($"served {served} connections");
return 0;

/// <summary>Both sides in one program: the server as a child, and <c>n</c> clients.</summary>
internal static class Demo
{
    internal static async Fiber<int> RunAsync(int n)
    {
        var server = await UnixSocket.TcpV4Async();
        server.BindAndListen(new IPEndPoint(IPAddress.Loopback, 0));
        var at = server.LocalEndPoint!;
        var serving = await Fiber.SpawnAsync(() => EchoServer.ServeAsync(server, n, Console.Out), give: [server.Resource]);
        var sessions = new List<Promise<bool>>();
        for (var i = 0; i < n; i++)
        {
            var id = i;
            sessions.Add(await Fiber.SpawnAsync(() => ClientAsync(at, id)));
        }

        var ok = 0;
        foreach (var session in sessions)
        {
            ok += await Fiber.AwaitAsync(session) ? 1 : 0;
        }

        await Fiber.AwaitAsync(serving);
        return ok;
    }

    private static async Fiber<bool> ClientAsync(EndPoint at, int id)
    {
        var socket = await UnixSocket.TcpV4Async();
        await socket.ConnectAsync(at);
        var ok = true;
        for (var line = 0; line < 3; line++)
        {
            var message = System.Text.Encoding.UTF8.GetBytes($"client {id}, line {line}\n");
            await socket.WriteAsync(message);
            var reply = new byte[message.Length];
            await socket.ReallyReadAsync(reply);
            ok &= reply.AsSpan().SequenceEqual(message);
        }

        await socket.CloseAsync();
        return ok;
    }
}

/// <summary>The server: an accept loop, one handler fiber per client, and the clean-up of finished handlers.</summary>
internal static class EchoServer
{
    /// <summary>Serves <paramref name="at"/> until <paramref name="connections"/> clients have come and gone (forever if null).</summary>
    internal static async Fiber<int> ServeAsync(IPEndPoint at, int? connections, TextWriter log)
    {
        var server = await UnixSocket.TcpV4Async();
        server.BindAndListen(at, backlog: 128);
        return await ServeAsync(server, connections, log);
    }

    /// <summary>Serves on <paramref name="server"/>, which the caller owns and this closes.</summary>
    internal static async Fiber<int> ServeAsync(UnixSocket server, int? connections, TextWriter log)
    {
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
