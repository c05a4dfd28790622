namespace Miou.Tests.Support;

/// <summary>
/// An event source (C28) whose <c>select</c> resumes the one syscall published in <see cref="Pending"/>, and records
/// whether each select was allowed to block and how often it was disposed.
/// </summary>
internal sealed class OneSignal : IEvents
{
    public Syscall? Pending { get; set; }

    public List<bool> Blocks { get; } = [];

    public int Disposed { get; private set; }

    public ReadOnlySpan<Signal> Select(bool block, ReadOnlySpan<int> cancelledSyscalls)
    {
        Blocks.Add(block);
        return Pending is { } s ? new[] { new Signal(s) } : default;
    }

    public void Interrupt()
    {
    }

    public void Dispose() => Disposed++;
}
