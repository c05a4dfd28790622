// The echo server a C# programmer writes without Miou: System.Net.Sockets.Socket with async/await, one Task per
// connection, on the thread pool. The benchmark's .NET baseline (benchmarks/echo/run.sh).
//
//   PlainEcho PORT [CONNECTIONS]   — with CONNECTIONS it accepts that many, waits until they close, and exits.
using System.Net;
using System.Net.Sockets;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var connections = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;

using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(128);
Console.WriteLine($"listening on {listener.LocalEndPoint}");

var handlers = new List<Task>();
for (var i = 0; i < connections; i++)
{
    var client = await listener.AcceptAsync();
    client.NoDelay = true;
    handlers.Add(EchoAsync(client));
}

await Task.WhenAll(handlers);
Console.WriteLine($"served {handlers.Count} connections");

static async Task EchoAsync(Socket client)
{
    using (client)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var n = await client.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0)
            {
                return;
            }

            await client.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
        }
    }
}
