using Miou.Unix.EventLoop;

namespace Miou.Unix.Tests;

/// <summary>
/// Base of the Miou.Unix tests: every test must leave the process with as many open descriptors as it found
/// (<c>/proc/self/fd</c> counted before and after), and runs fibers with the helpers below. Tests run one at a time
/// (no parallelisable attribute), so the count is not disturbed by a neighbour.
/// </summary>
public abstract class UnixTest
{
    private int _descriptorsBefore;
    private string[] _listBefore = [];

    protected static readonly IPEndPoint LoopbackV4 = new(IPAddress.Loopback, 0);
    protected static readonly IPEndPoint LoopbackV6 = new(IPAddress.IPv6Loopback, 0);

    protected static RunOptions Fifo { get; } = new() { Policy = SchedulingPolicy.Fifo, Domains = 0 };

    protected static RunOptions Random(ulong seed) => new() { Policy = SchedulingPolicy.Random, Seed = seed, Domains = 0 };

    /// <summary>
    /// The descriptors of the kinds Miou.Unix creates (sockets, pipes, and the eventfd and epoll <c>anon_inode</c>s) open in
    /// this process right now, from <c>/proc/self/fd</c>. Files are left out: the .NET runtime opens libraries and
    /// assemblies lazily (say <c>libcrypto.so.3</c> in the middle of a test), which is not a leak of ours.
    /// </summary>
    internal static string[] Descriptors() => Directory.GetFileSystemEntries("/proc/self/fd")
        .Select(f => (Fd: Path.GetFileName(f), Target: Target(f)))
        .Where(d => d.Target.StartsWith("socket:", StringComparison.Ordinal) || d.Target.StartsWith("pipe:", StringComparison.Ordinal) ||
                    d.Target.StartsWith("anon_inode:", StringComparison.Ordinal))
        .Select(d => $"{d.Fd} -> {d.Target}")
        .ToArray();

    internal static int OpenDescriptors() => Descriptors().Length;

    private static string Target(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "?"; // the enumeration's own descriptor, gone by now
        }
    }

    [OneTimeSetUp]
    public void WarmUp()
    {
        // Load libc and JIT the loop once, so lazily opened runtime descriptors are not counted as a test's leak.
        UnixRun.Run(async () => await UnixIO.SleepAsync(TimeSpan.Zero), Fifo);
    }

    [SetUp]
    public void CountBefore()
    {
        _listBefore = Descriptors();
        _descriptorsBefore = _listBefore.Length;
    }

    [TearDown]
    public void CountAfter()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            var after = Descriptors();
            Assert.That(after, Has.Length.EqualTo(_descriptorsBefore),
                $"descriptors open after the test vs before: a descriptor leaked; new: {string.Join(", ", after.Except(_listBefore))}");
        }
    }

    /// <summary>Runs a fiber under UnixRun and returns its value.</summary>
    protected static T Run<T>(Func<Fiber<T>> main, RunOptions? options = null, UnixOptions? unix = null) => UnixRun.Run(main, options ?? Fifo, unix);

    /// <summary>Runs a void fiber under UnixRun.</summary>
    protected static void Run(Func<Fiber> main, RunOptions? options = null) => UnixRun.Run(main, options ?? Fifo);

    /// <summary>A listening TCP socket on an ephemeral loopback port, owned by the caller.</summary>
    protected static async Fiber<UnixSocket> ListenAsync(IPEndPoint? at = null, int backlog = 64)
    {
        at ??= LoopbackV4;
        var server = at.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? await UnixSocket.TcpV6Async() : await UnixSocket.TcpV4Async();
        server.BindAndListen(at, backlog);
        return server;
    }

    /// <summary>The loop of the calling task's domain (for its diagnostic counters).</summary>
    protected static UnixEventLoop Loop => UnixEventLoop.Current;

    protected static byte[] Bytes(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    protected static string Text(ReadOnlySpan<byte> b) => System.Text.Encoding.ASCII.GetString(b);
}
