using System.ComponentModel;
using System.Runtime.CompilerServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>The awaitable of <c>Fiber.SyscallAsync</c>: two scheduling points, then a new syscall owned by the calling task.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SyscallAwaitable : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly string? _name;

    internal SyscallAwaitable(string? name) => _name = name;

    /// <summary>Gets the awaiter.</summary>
    public SyscallAwaitable GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>The new syscall.</summary>
    public Syscall GetResult() => new(Suspension.Resumed(), _name);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation) => Suspension.Register(continuation, OpKind.Points, null, 2);
}

/// <summary>
/// The awaitable of a suspension on a syscall (<c>Fiber.SuspendAsync</c>): resumes when the event source signals it. No
/// allocation beyond the syscall itself.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SuspendAwaitable : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly Syscall _syscall;
    private readonly int _points;
    private readonly Delegate? _onSuspend;

    internal SuspendAwaitable(Syscall syscall, int points, Delegate? onSuspend)
    {
        _syscall = syscall;
        _points = points;
        _onSuspend = onSuspend;
    }

    /// <summary>Gets the awaiter.</summary>
    public SuspendAwaitable GetAwaiter() => this;

    /// <summary>Always false.</summary>
    public bool IsCompleted => false;

    /// <summary>Throws a cancellation, or what the registration callback threw, if anything.</summary>
    public void GetResult()
    {
        var error = Suspension.TakeException(out var task);
        _syscall.Resumed(task);
        if (error is not null)
        {
            throw error;
        }
    }

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Part of Miou's suspend protocol.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        _syscall.Prepare(_points, _onSuspend);
        Suspension.Register(continuation, OpKind.Custom, _syscall);
    }
}
