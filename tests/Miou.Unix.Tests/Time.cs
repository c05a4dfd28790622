namespace Miou.Unix.Tests;

/// <summary>Sleepers and timeouts. No test asserts a duration: only orders and winners.</summary>
public class Time : UnixTest
{
    [Test]
    public void SleepersWakeInDeadlineOrder()
    {
        // Absolute deadlines from one base, given to sleepers spawned in another order: however late each child starts,
        // they wake in deadline order. FIFO: sleepers that expire in the same select resume in the order of the heap.
        int[] offsets = [60, 0, 100, 20, 80, 40];
        var woke = Run(async () =>
        {
            var log = new List<int>();
            var sleepers = new List<Promise>();
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var ms in offsets)
            {
                sleepers.Add(await Fiber.SpawnAsync(async () =>
                {
                    await UnixIO.SleepUntilAsync(start + ms * System.Diagnostics.Stopwatch.Frequency / 1000);
                    log.Add(ms);
                }));
            }

            foreach (var sleeper in sleepers)
            {
                await Fiber.AwaitAsync(sleeper);
            }

            return log;
        });
        Assert.That(woke, Is.EqualTo(offsets.Order().ToList()));
    }

    [Test]
    public void ZeroSleepReturns()
    {
        var pending = Run(async () =>
        {
            await UnixIO.SleepAsync(TimeSpan.Zero);
            return Loop.PendingWaits;
        });
        Assert.That(pending, Is.Zero);
    }

    [Test]
    public void NegativeSleepIsRejected()
    {
        Run(async () =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => UnixIO.SleepAsync(TimeSpan.FromSeconds(-1)));
        });
    }

    /// <summary>
    /// A duration is converted exactly, however long: the conversion once saturated every duration of 922 s or more (where
    /// <c>Ticks * Stopwatch.Frequency</c> would overflow at 1 GHz) to 146 years, so a 20-minute sleep or timeout never ended.
    /// </summary>
    [TestCase(1L)]
    [TestCase(20L * 60)]
    [TestCase(24L * 3600)]
    [TestCase(1000L * 24 * 3600)]
    public void ALongSleepLastsWhatItSays(long seconds)
    {
        Assert.That(UnixIO.ToTimestampTicks(TimeSpan.FromSeconds(seconds)), Is.EqualTo(seconds * System.Diagnostics.Stopwatch.Frequency));
    }

    [Test]
    public void TheLongestSleepSaturatesWithoutOverflow()
    {
        var ticks = UnixIO.ToTimestampTicks(TimeSpan.MaxValue);
        Assert.That(ticks, Is.GreaterThan(0));
        Assert.That(System.Diagnostics.Stopwatch.GetTimestamp() + ticks, Is.GreaterThan(System.Diagnostics.Stopwatch.GetTimestamp()), "the deadline does not wrap");
    }

    /// <summary>
    /// The blocking select's timeout toward a deadline over 2^64 / 1000 ticks away (213 days at 1 GHz) once overflowed
    /// (<c>ticks * 1000</c>): 20 ms past that point, the idle loop woke after 20 ms, then polled epoll with a zero
    /// timeout in a tight loop. An idle domain waits in the kernel once, until its descriptor is ready.
    /// </summary>
    [Test]
    public void AFarDeadlineDoesNotMakeTheIdleLoopSpin()
    {
        const long wrap = 18_446_744_073_709_552; // ceil(2^64 / 1000)
        var (read, write) = TestLibc.Pipe();
        try
        {
            var polls = Run(async () =>
            {
                var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + wrap + System.Diagnostics.Stopwatch.Frequency / 50;
                var far = await Fiber.SpawnAsync(async () => await UnixIO.SleepUntilAsync(deadline));
                while (Loop.PendingWaits == 0)
                {
                    await Fiber.YieldAsync(); // bounded: the sleeper's few scheduling points
                }

                var before = Loop.KernelPolls;
                using var writer = new Timer(_ => TestLibc.WriteByte(write), null, 100, Timeout.Infinite);
                await UnixIO.WaitReadableAsync(read);
                var during = Loop.KernelPolls - before;
                await Fiber.CancelAsync(far);
                return during;
            });
            Assert.That(polls, Is.LessThanOrEqualTo(3), "epoll_wait calls while idle for 100 ms");
        }
        finally
        {
            TestLibc.close(read);
            TestLibc.close(write);
        }
    }

    [Test]
    public void TimeoutFiresOnAReadThatNeverCompletes()
    {
        var (error, pending, watched) = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync(); // never writes
            Exception? caught = null;
            try
            {
                await UnixIO.WithTimeoutAsync(TimeSpan.FromMilliseconds(20), async () => await client.ReadAsync(new byte[4]));
            }
            catch (TimeoutException e)
            {
                caught = e;
            }

            var state = (Loop.PendingWaits, Loop.WatchedDescriptors);
            await peer.CloseAsync();
            await client.CloseAsync();
            await server.CloseAsync();
            return (caught, state.PendingWaits, state.WatchedDescriptors);
        });
        Assert.That(error, Is.TypeOf<TimeoutException>(), "the read lost to the sleeper");
        Assert.That(pending, Is.Zero, "the cancelled read left the loop");
        Assert.That(watched, Is.Zero, "and its descriptor left the epoll set");
    }

    [Test]
    public void OperationThatFinishesFirstBeatsTheTimeout()
    {
        var value = Run(async () => await UnixIO.WithTimeoutAsync(TimeSpan.FromHours(1), async () =>
        {
            await UnixIO.SleepAsync(TimeSpan.Zero);
            return 42;
        }));
        Assert.That(value, Is.EqualTo(42));
    }

    [Test]
    public void OperationFailureIsRethrownNotTimedOut()
    {
        Assert.Throws<InvalidOperationException>(() => Run(async () =>
            await UnixIO.WithTimeoutAsync(TimeSpan.FromHours(1), async () => throw new InvalidOperationException("mine"))));
    }
}
