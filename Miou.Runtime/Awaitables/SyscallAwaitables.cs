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
/// The awaitable of a suspension on a syscall (<c>Fiber.SuspendAsync</c>, <c>Fiber.SuspendAgainAsync</c>): resumes when the
/// event source signals it. No allocation beyond the syscall itself, and none at all for a syscall suspended on again.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SuspendAwaitable : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly Syscall _syscall;
    private readonly Delegate? _onSuspend;
    private readonly int _points;
    private readonly bool _again;

    internal SuspendAwaitable(Syscall syscall, int points, Delegate? onSuspend, bool again = false)
    {
        _syscall = syscall;
        _points = points;
        _onSuspend = onSuspend;
        _again = again;
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
        var domain = Suspension.FromBuilder(continuation);
        var task = domain.Running!;
        SchedulerOp op = _syscall;
        if (!_again)
        {
            _syscall.Prepare(task, _points, _onSuspend);
        }
        else if (_syscall.Rearm(domain, task, _points, _onSuspend!) is { } refused)
        {
            op = new RefusedSuspension(refused); // thrown at the suspension point; the syscall is left as it is
        }

        Suspension.Register(task, domain.SuspendingFrame!, new PendingOp(OpKind.Custom, op));
    }
}

/// <summary>A suspension on a syscall that cannot be suspended on again here: its one scheduling point throws why.</summary>
internal sealed class RefusedSuspension(Exception error) : SchedulerOp
{
    internal override Answered Answer(DomainScheduler domain, Promise task)
    {
        domain.ResumeException = error;
        return Answered.Resume;
    }

    internal override void Cancelled(Promise task)
    {
        // Nothing was registered anywhere: the cancellation is thrown at the suspension point instead of the refusal.
    }
}
