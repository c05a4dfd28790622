using System.Diagnostics;
using Miou.Unix.EventLoop;

namespace Miou.Unix;

/// <summary>Sleeping, waiting for readiness on any descriptor, and timeouts, on the calling task's domain's event loop.</summary>
public static class UnixIO
{
    /// <summary>Suspends the calling task for <paramref name="duration"/> (direct style).</summary>
    [DirectStyle(nameof(SleepAsync))]
    public static void Sleep(TimeSpan duration) => throw DirectStyleStub.NotInFiber("UnixIO.Sleep");

    /// <summary>
    /// Suspends the calling task (suspension "sleep") until <paramref name="duration"/> has passed on the monotonic clock,
    /// counted from this call. A zero duration wakes at the next poll of the event loop. Sleepers wake in deadline order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative duration.</exception>
    public static Fiber SleepAsync(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return UnixEventLoop.Current.SleepUntilAsync(Stopwatch.GetTimestamp() + ToTimestampTicks(duration));
    }

    /// <summary>
    /// A non-negative <paramref name="duration"/> in <see cref="Stopwatch"/> ticks, exactly, saturated at
    /// <c>long.MaxValue / 2</c> (146 years at 1 GHz), which a timestamp can still be added to. The product is taken in 128
    /// bits: <c>Ticks * Frequency</c> overflows 64 bits from 922 s on at 1 GHz, the clock's frequency on Linux.
    /// </summary>
    internal static long ToTimestampTicks(TimeSpan duration)
    {
        const long Never = long.MaxValue / 2;
        var ticks = (Int128)duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        return ticks >= Never ? Never : (long)ticks;
    }

    /// <summary>Suspends the calling task until a <see cref="Stopwatch"/> timestamp (direct style).</summary>
    [DirectStyle(nameof(SleepUntilAsync))]
    public static void SleepUntil(long timestamp) => throw DirectStyleStub.NotInFiber("UnixIO.SleepUntil");

    /// <summary>
    /// Suspends the calling task (suspension "sleep") until <see cref="Stopwatch.GetTimestamp"/> reaches
    /// <paramref name="timestamp"/>: an absolute deadline on the monotonic clock, for deadlines shared by several tasks.
    /// A timestamp already passed wakes at the next poll of the event loop.
    /// </summary>
    public static Fiber SleepUntilAsync(long timestamp) => UnixEventLoop.Current.SleepUntilAsync(timestamp);

    /// <summary>Suspends the calling task until <paramref name="fd"/> is readable (direct style).</summary>
    [DirectStyle(nameof(WaitReadableAsync))]
    public static void WaitReadable(int fd) => throw DirectStyleStub.NotInFiber("UnixIO.WaitReadable");

    /// <summary>
    /// Suspends the calling task (suspension "read") until the descriptor <paramref name="fd"/> — any descriptor epoll can
    /// watch: a socket, pipe, eventfd, tty… — is readable, at end of file or in error. A descriptor epoll cannot watch
    /// (a regular file) is always ready. The descriptor stays the caller's: this neither owns nor closes it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative descriptor.</exception>
    /// <exception cref="UnixException">epoll_ctl refused the descriptor (EBADF: it is not open).</exception>
    public static Fiber WaitReadableAsync(int fd) => WaitAsync(fd, write: false, "read");

    /// <summary>Suspends the calling task until <paramref name="fd"/> is writable (direct style).</summary>
    [DirectStyle(nameof(WaitWritableAsync))]
    public static void WaitWritable(int fd) => throw DirectStyleStub.NotInFiber("UnixIO.WaitWritable");

    /// <summary>Suspends the calling task (suspension "write") until <paramref name="fd"/> is writable or in error; see <see cref="WaitReadableAsync(int)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative descriptor.</exception>
    /// <exception cref="UnixException">epoll_ctl refused the descriptor (EBADF: it is not open).</exception>
    public static Fiber WaitWritableAsync(int fd) => WaitAsync(fd, write: true, "write");

    private static Fiber WaitAsync(int fd, bool write, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        return UnixEventLoop.Current.WaitAsync(new Waiter(fd, write, socket: null, persistent: false), name);
    }

    /// <summary>Runs <paramref name="operation"/> with a time limit (direct style).</summary>
    [DirectStyle(nameof(WithTimeoutAsync))]
    public static T WithTimeout<T>(TimeSpan timeout, [FiberBody] Func<T> operation) => throw DirectStyleStub.NotInFiber("UnixIO.WithTimeout");

    /// <summary>Runs <paramref name="operation"/> with a time limit (direct style).</summary>
    [DirectStyle(nameof(WithTimeoutAsync))]
    public static void WithTimeout(TimeSpan timeout, [FiberBody] Action operation) => throw DirectStyleStub.NotInFiber("UnixIO.WithTimeout");

    /// <summary>
    /// Runs <paramref name="operation"/> as a child racing a sleeping child (<c>AwaitFirst</c> of the two, as the original
    /// builds timeouts): returns the operation's value or rethrows its exception if it finishes first; if the sleeper
    /// wins, the operation is cancelled (its descriptors' waits leave the event loop, what it owns is closed) and this
    /// throws <see cref="TimeoutException"/>.
    /// </summary>
    public static async Fiber<T> WithTimeoutAsync<T>(TimeSpan timeout, [FiberBody] Func<Fiber<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var work = await Fiber.SpawnAsync(operation);
        var timer = await Fiber.SpawnAsync<T>(async () =>
        {
            await SleepAsync(timeout);
            throw new TimeoutException($"The operation did not finish within {timeout}.");
        });
        return (await Fiber.AwaitFirstAsync(work, timer)).ValueOrThrow();
    }

    /// <summary>The void form of <see cref="WithTimeoutAsync{T}(TimeSpan, Func{Fiber{T}})"/>.</summary>
    public static async Fiber WithTimeoutAsync(TimeSpan timeout, [FiberBody] Func<Fiber> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await WithTimeoutAsync(timeout, async () =>
        {
            await operation();
            return default(Unit);
        });
    }
}
