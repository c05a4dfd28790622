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
// either it runs until killed. --spread runs every other handler on a worker domain (Fiber.Call; the run has
// processor count - 1 workers unless MIOU_DOMAINS says otherwise), each doing its I/O on its own domain's event loop.
//
// Direct style: [Fiber] methods, no async/await; Miou's generator gives each a resumable twin named with "Async",
// which is what UnixRun.Run starts.
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
        case "--spread":
            EchoServer.Spread = true;
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
internal static partial class Demo
{
    [Fiber]
    internal static int Run(int n)
    {
        var server = UnixSocket.TcpV4();
        server.BindAndListen(new IPEndPoint(IPAddress.Loopback, 0));
        var at = server.LocalEndPoint!;
        var serving = Fiber.Async(() => EchoServer.Serve(server, n, Console.Out), give: [server.Resource]);
        var sessions = new List<Promise<bool>>();
        for (var i = 0; i < n; i++)
        {
            var id = i;
            sessions.Add(Fiber.Async(() => Client(at, id)));
        }

        var ok = 0;
        foreach (var session in sessions)
        {
            ok += Fiber.Await(session) ? 1 : 0;
        }

        Fiber.Await(serving);
        return ok;
    }

    [Fiber]
    private static bool Client(EndPoint at, int id)
    {
        var socket = UnixSocket.TcpV4();
        socket.Connect(at);
        var ok = true;
        for (var line = 0; line < 3; line++)
        {
            var message = System.Text.Encoding.UTF8.GetBytes($"client {id}, line {line}\n");
            socket.Write(message);
            var reply = new byte[message.Length];
            socket.ReallyRead(reply);
            ok &= reply.AsSpan().SequenceEqual(message);
        }

        socket.Close();
        return ok;
    }
}

/// <summary>The server: an accept loop, one handler fiber per client, and the clean-up of finished handlers.</summary>
internal static partial class EchoServer
{
    /// <summary>Whether to spread handlers over dom0 and the worker domains (<c>--spread</c>).</summary>
    internal static bool Spread { get; set; }

    /// <summary>Serves <paramref name="at"/> until <paramref name="connections"/> clients have come and gone (forever if null).</summary>
    [Fiber]
    internal static int Serve(IPEndPoint at, int? connections, TextWriter log)
    {
        var server = UnixSocket.TcpV4();
        server.BindAndListen(at, backlog: 128);
        return Serve(server, connections, log);
    }

    /// <summary>Serves on <paramref name="server"/>, which the caller owns and this closes.</summary>
    [Fiber]
    internal static int Serve(UnixSocket server, int? connections, TextWriter log)
    {
        log.WriteLine($"listening on {server.LocalEndPoint}");
        log.Flush();
        var handlers = new Orphans<Unit>();
        var accepted = 0;
        while (connections is null || accepted < connections)
        {
            CleanUp(handlers, log);
            var client = server.Accept();
            client.SetNoDelay(true);
            // The handler owns the client from now on: however it ends, the client gets closed. With worker domains,
            // every other handler runs on one of them (Fiber.Call), doing its I/O on that worker's own event loop.
            if (Spread && accepted % 2 == 1)
            {
                Fiber.Call(() => Handle(client), orphans: handlers, give: [client.Resource]);
            }
            else
            {
                Fiber.Async(() => Handle(client), handlers, give: [client.Resource]);
            }
            accepted++;
        }

        EchoStats.Start();
        server.Close();
        while (handlers.Get() is { } outcome)
        {
            Report(outcome, log);
        }

        EchoStats.Stop(log);
        return accepted;
    }

    /// <summary>Echoes what the client sends until it closes its end.</summary>
    [Fiber]
    private static void Handle(UnixSocket client)
    {
        var buffer = new byte[4096];
        var requests = 0L;
        int n;
        while ((n = client.Read(buffer)) > 0)
        {
            client.Write(buffer.AsMemory(0, n));
            requests++;
        }

        EchoStats.Served(requests);
        client.Close();
    }

    /// <summary>Collects every handler that has finished (the original tutorial's <c>clean_up</c>).</summary>
    [Fiber]
    private static void CleanUp(Orphans<Unit> handlers, TextWriter log)
    {
        while (handlers.Care() is { } done)
        {
            Report(Fiber.AwaitResult(done), log);
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
