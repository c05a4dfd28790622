using Miou.Unix.EventLoop;

namespace Miou.Unix.Tests;

/// <summary>The loop's interrupt, exercised directly as the runtime would (spec §5.3), and when the loop asks the kernel.</summary>
public class EventLoopTests : UnixTest
{
    [Test]
    public void InterruptBeforeABlockingSelectStillWakesIt()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        loop.Interrupt();
        loop.Interrupt(); // coalesced: still one pending wake-up
        // Level-triggered: the select below returns (with no signal) instead of waiting forever.
        Assert.That(loop.Select(block: true, []).Length, Is.Zero);
    }

    [Test]
    public void InterruptFromAnotherThreadWakesABlockedSelect()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        using var selecting = new ManualResetEventSlim();
        var interrupter = new Thread(() =>
        {
            selecting.Wait();
            loop.Interrupt(); // before or during the select below: either way it must return
        });
        interrupter.Start();
        selecting.Set();
        Assert.That(loop.Select(block: true, []).Length, Is.Zero);
        interrupter.Join();
    }

    [Test]
    public void EachWakeUpCycleNeedsANewInterrupt()
    {
        using var loop = new UnixEventLoop(Domain.Dom0);
        for (var i = 0; i < 100; i++)
        {
            loop.Interrupt();
            Assert.That(loop.Select(block: true, []).Length, Is.Zero); // returns: the interrupt after a drain was not swallowed
        }
    }

    /// <summary>
    /// An interrupt that lands while the loop drains the previous one is not lost for good: the drain once cleared the
    /// pending flag before reading the eventfd, so an Interrupt in between set the flag, wrote, and had its write read by
    /// that drain; the flag then stayed set with the eventfd empty, every later Interrupt skipped its write, and the next
    /// blocking select (a domain that ran out of work, or one told to stop at the end of the run) never returned. For
    /// 6 s, one thread interrupts without pause while another selects, blocking, and busy threads make the selecting one
    /// be preempted often, sometimes inside the drain's window of a few hundred nanoseconds.
    /// </summary>
    [Test]
    public void AnInterruptDuringADrainIsNotLost()
    {
        var loop = new UnixEventLoop(Domain.Dom0);
        var stop = 0;
        var selects = 0;
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        using var done = new ManualResetEventSlim();
        var selecting = new Thread(() =>
        {
            while (System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(6))
            {
                loop.Select(block: true, []); // returns only if an interrupt reaches the eventfd
                Volatile.Write(ref selects, selects + 1);
            }

            done.Set();
        })
        { IsBackground = true }; // if it never returns, it must not keep the test process alive
        var busy = Enumerable.Range(0, Environment.ProcessorCount + 1).Select(n => new Thread(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                if (n == 0)
                {
                    loop.Interrupt(); // mostly coalesced; each drain lets the next one write
                }
                else
                {
                    Thread.SpinWait(100);
                }
            }
        })).ToList();
        busy.ForEach(t => t.Start());
        selecting.Start();
        var finished = done.Wait(TimeSpan.FromSeconds(30)); // the selects stop by themselves after 6 s; the interrupts go on
        Volatile.Write(ref stop, 1);
        busy.ForEach(t => t.Join());
        Assert.That(finished, Is.True,
            $"a blocking select waited forever while another thread kept interrupting (after {Volatile.Read(ref selects)} selects)");
        loop.Dispose(); // only once the selecting thread is out of epoll_wait
    }

    [Test]
    public void InterruptAfterDisposeIsHarmless()
    {
        var loop = new UnixEventLoop(Domain.Dom0);
        loop.Dispose();
        Assert.DoesNotThrow(loop.Interrupt);
        Assert.DoesNotThrow(loop.Dispose);
    }

    /// <summary>
    /// A wait on a descriptor number that is not open is epoll_ctl's EBADF, whatever the number: the loop's table once grew
    /// to the number before asking the kernel, which allocated 800 MB for 100,000,000 and threw
    /// <see cref="IndexOutOfRangeException"/> for <see cref="int.MaxValue"/>.
    /// </summary>
    [TestCase(100_000_000)]
    [TestCase(int.MaxValue)]
    public void AWaitOnADescriptorThatIsNotOpenIsEbadf(int fd)
    {
        var (error, allocated) = Run(async () =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread(); // Domains = 0: the whole run is on this thread
            try
            {
                await UnixIO.WaitReadableAsync(fd);
                return ((Exception?)null, 0L);
            }
            catch (Exception e)
            {
                return (e, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        Assert.That(error, Is.TypeOf<UnixException>(), error?.ToString());
        Assert.That(((UnixException)error!).Errno, Is.EqualTo(Errno.EBADF));
        Assert.That(error.Message, Does.Contain("epoll_ctl").And.Contain($"descriptor {fd}"));
        Assert.That(allocated, Is.LessThan(1 << 20), "bytes allocated by the failed wait");
    }

    [Test]
    public void AWaiterKnownToBeReadyResumesAtTheNextSelectWithoutAnEpollWait()
    {
        // The poll interval is never reached and the owner never lets the domain idle (it yields until the reader is done),
        // so no select asks the kernel: the reader, woken by the close of its socket, must still resume.
        var (resumed, kernelPolls) = Run(async () =>
        {
            var server = await ListenAsync();
            var client = await UnixSocket.TcpV4Async();
            await client.ConnectAsync(server.LocalEndPoint!);
            var peer = await server.AcceptAsync();
            var done = false;
            var reading = await Fiber.SpawnAsync(async () =>
            {
                try
                {
                    await client.ReadAsync(new byte[4]);
                }
                catch (ObjectDisposedException)
                {
                    done = true; // the expected outcome: the socket was closed under the waiting reader
                }
            });
            for (var i = 0; i < 100 && Loop.PendingWaits == 0; i++)
            {
                await Fiber.YieldAsync(); // until the reader has registered its wait
            }

            var waited = Loop.PendingWaits == 1;
            var pollsBefore = Loop.KernelPolls;
            await client.CloseAsync();
            for (var i = 0; i < 1000 && !done; i++)
            {
                await Fiber.YieldAsync();
            }

            var polls = Loop.KernelPolls - pollsBefore;
            await Fiber.AwaitAsync(reading);
            await peer.CloseAsync();
            await server.CloseAsync();
            return (waited && done, polls);
        }, unix: new UnixOptions { PollInterval = 1_000_000 });

        Assert.That(resumed, Is.True, "the reader waited, then resumed while its owner kept the domain busy");
        Assert.That(kernelPolls, Is.Zero, "no epoll_wait was made for a waiter already known to be ready");
    }
}
