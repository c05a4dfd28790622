namespace Miou.Unix.Tests;

/// <summary>Every descriptor is an owned resource; a cancelled wait leaves the event loop at once.</summary>
public class OwnershipAndCancellation : UnixTest
{
    [Test]
    public void ReadBlockedInChildCancelledByParentClosesTheDescriptorAndLeavesTheLoop()
    {
        var observed = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync();
            // The child owns the client and blocks reading it: the peer never writes.
            var reading = await Fiber.SpawnAsync(async () => await client.ReadAsync(new byte[8]), give: [client.Resource]);
            while (Loop.PendingWaits == 0)
            {
                await Fiber.YieldAsync(); // bounded by the child's few scheduling points before it suspends
            }

            var watchedWhileBlocked = Loop.WatchedDescriptors;
            await Fiber.CancelAsync(reading);
            // "At once": as Cancel returns, before any further select.
            var after = (Loop.PendingWaits, Loop.WatchedDescriptors, client.IsClosed);
            var outcome = await Fiber.AwaitResultAsync(reading);
            await peer.CloseAsync();
            await server.CloseAsync();
            return (watchedWhileBlocked, after, outcome.Error);
        });
        Assert.That(observed.watchedWhileBlocked, Is.EqualTo(1), "the blocked read had its descriptor in the epoll set");
        Assert.That(observed.after.PendingWaits, Is.Zero, "the cancelled syscall left the loop's tables");
        Assert.That(observed.after.WatchedDescriptors, Is.Zero, "and its descriptor left the epoll set");
        Assert.That(observed.after.IsClosed, Is.True, "the cancelled owner's finaliser closed the socket");
        Assert.That(observed.Error, Is.TypeOf<CancelledException>());
    }

    [Test]
    public void CancelledSleeperLeavesTheHeapAtOnce()
    {
        var pending = Run(async () =>
        {
            var sleeper = await Fiber.SpawnAsync(async () => await UnixIO.SleepAsync(TimeSpan.FromHours(1)));
            while (Loop.PendingWaits == 0)
            {
                await Fiber.YieldAsync();
            }

            await Fiber.CancelAsync(sleeper);
            return Loop.PendingWaits;
        });
        Assert.That(pending, Is.Zero);
    }

    [Test]
    public void ReturningWhileOwningASocketIsResourceLeaked()
    {
        Assert.Throws<ResourceLeakedException>(() => Run(async () =>
        {
            var leaked = await Fiber.SpawnAsync(async () => await UnixSocket.TcpV4Async());
            await Fiber.AwaitResultAsync(leaked);
        }));
        // The descriptor count in TearDown checks that the leaked socket was closed all the same.
    }

    [Test]
    public void FailingTaskClosesWhatItOwns()
    {
        UnixSocket? socket = null;
        var outcome = Run(async () =>
        {
            var failing = await Fiber.SpawnAsync<int>(async () =>
            {
                socket = await UnixSocket.UdpV4Async();
                throw new InvalidOperationException("boom");
            });
            return await Fiber.AwaitResultAsync(failing);
        });
        Assert.That(outcome.Error, Is.TypeOf<InvalidOperationException>());
        Assert.That(socket!.IsClosed, Is.True);
    }

    [Test]
    public void CloseByNonOwnerIsNotOwner()
    {
        Run(async () =>
        {
            var socket = await UnixSocket.TcpV4Async();
            var child = await Fiber.SpawnAsync(async () => await socket.CloseAsync());
            var outcome = await Fiber.AwaitResultAsync(child);
            Assert.That(outcome.Error, Is.TypeOf<NotOwnerException>());
            Assert.That(socket.IsClosed, Is.False);
            await socket.CloseAsync();
        });
    }

    [Test]
    public void AcceptedSocketIsOwnedByTheAcceptingTask()
    {
        UnixSocket? accepted = null;
        // A child that accepts and returns the client while still owning it breaks the rule: the run stops (fatal).
        // (Everything else is closed before the fatal error: a fatal stop does not finalise other tasks' resources.)
        Assert.Throws<ResourceLeakedException>(() => Run(async () =>
        {
            var accepting = await Fiber.SpawnAsync(async () =>
            {
                var server = await ListenAsync();
                var client = await UnixSocket.TcpV4Async();
                await client.ConnectAsync(server.LocalEndPoint!);
                accepted = await server.AcceptAsync();
                await client.CloseAsync();
                await server.CloseAsync();
                return accepted;
            });
            await Fiber.AwaitResultAsync(accepting);
        }));
        Assert.That(accepted!.IsClosed, Is.True, "the leaked socket's finaliser closed it");
    }
}
