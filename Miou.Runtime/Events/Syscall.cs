using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A suspension token (spec §5.1): created by a task with <see cref="Fiber.Syscall(string?)"/>, registered in an event source,
/// and suspended on with <see cref="Fiber.Suspend(Syscall, Action?)"/> until the source's <see cref="IEvents.Select"/> returns its
/// <see cref="Signal"/>. It belongs to the task and domain that created it, and is single-use — unless it is suspended on
/// again with <see cref="Fiber.SuspendAgainAsync(Syscall, Action{Syscall})"/>, which makes it a new wait of the calling
/// task (a new <see cref="Id"/>, unsignalled) without allocating one.
/// </summary>
public sealed class Syscall : SchedulerOp
{
    private static int s_nextId;

    // Touched only on the owner's domain (Select runs there): no synchronisation needed.
    private bool _signalled;
    private bool _counted; // the owner is suspended on it and counted in the domain's pending suspensions
    private bool _inSuspension; // from the suspension's registration in the awaiter until its awaiter's GetResult
    private int _points;
    private Delegate? _onSuspend;

    internal Syscall(Promise owner, string? name)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Owner = owner;
        Name = name ?? Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A process-wide unique id (what <see cref="IEvents.Select"/> receives for cancelled syscalls). A syscall suspended on
    /// again with <see cref="Fiber.SuspendAgainAsync(Syscall, Action{Syscall})"/> gets a new one for each wait.
    /// </summary>
    public int Id { get; private set; }

    /// <summary>A name for tracing (Miou.Unix uses "read", "write", "accept", "connect", "sleep").</summary>
    public string Name { get; }

    /// <summary>The domain that owns the syscall: only its event source may resume it.</summary>
    public Domain Domain => new(Owner.Domain.Uid);

    internal Promise Owner { get; private set; }

    /// <inheritdoc/>
    public override string ToString() => $"syscall '{Name}' #{Id}";

    /// <summary>
    /// The event source resumed it (on its domain, from <see cref="IEvents.Select"/>) with a signal built while its id was
    /// <paramref name="id"/>: a signal of an earlier wait of a reused syscall is stale and does nothing.
    /// </summary>
    internal void Fire(int id)
    {
        if (_signalled || id != Id)
        {
            return; // single-use: a second signal is a no-op; a signal of an earlier wait of a reused syscall, too
        }

        _signalled = true;
        if (_counted)
        {
            Owner.Domain.Wake(Owner, this);
        }
    }

    /// <summary>Set by the awaitable of <paramref name="task"/> just before the suspension is registered.</summary>
    internal void Prepare(Promise task, int points, Delegate? onSuspend)
    {
        _points = points;
        if (!ReferenceEquals(_onSuspend, onSuspend))
        {
            _onSuspend = onSuspend; // a syscall suspended on again usually has the same callback: skip the GC write barrier
        }

        if (ReferenceEquals(Owner, task))
        {
            _inSuspension = true; // another task's attempt is refused at its suspension point and does not count
        }
    }

    /// <summary>
    /// Makes this syscall, whose earlier suspension has ended, a new wait of <paramref name="task"/> on
    /// <paramref name="domain"/> (the calling thread's): a new id, unsignalled, then prepared like a new one. Returns the
    /// exception to throw at the suspension point instead if it belongs to another domain or is in a suspension now, in
    /// which case nothing of it is touched (another domain's thread may be using it).
    /// </summary>
    internal Exception? Rearm(DomainScheduler domain, Promise task, int points, Delegate onSuspend)
    {
        if (!ReferenceEquals(Owner.Domain, domain))
        {
            return new ArgumentException($"This syscall does not belong to the current domain: {this} belongs to {Domain}; a syscall is suspended on again only on its own domain.", "syscall");
        }

        if (_inSuspension)
        {
            return new InvalidOperationException($"{this} is already in a suspension of {Owner.Describe()}: a syscall is suspended on again only once its earlier suspension has ended.");
        }

        if (!ReferenceEquals(Owner, task))
        {
            Owner = task; // usually the same task waiting again: skip the store's GC write barrier
        }

        Id = Interlocked.Increment(ref s_nextId);
        _signalled = false;
        Prepare(task, points, onSuspend);
        return null;
    }

    // Phases 0 .. points-1 are the scheduling points (spec §1.3); then the checks, the registration callback, and the
    // park until the event source fires the syscall. A wake-up answers once more and finds it fired.
    internal override Answered Answer(DomainScheduler domain, Promise task)
    {
        if (_counted && ReferenceEquals(Owner, task))
        {
            return _signalled ? Answered.Resume : Answered.Park;
        }

        if (++task.OpPhase < _points)
        {
            return Answered.Again;
        }

        if (!ReferenceEquals(Owner, task))
        {
            domain.ResumeException = new ArgumentException($"This syscall does not belong to the current promise: {this} was created by {Owner.Describe()}, not {task.Describe()}.", "syscall");
            return Answered.Resume;
        }

        if (!ReferenceEquals(Owner.Domain, domain))
        {
            domain.ResumeException = new ArgumentException($"This syscall does not belong to the current domain: {this} belongs to {Domain}.", "syscall");
            return Answered.Resume;
        }

        if (_signalled)
        {
            return Answered.Resume; // single-use: suspending on a fired syscall returns at once
        }

        try
        {
            switch (_onSuspend)
            {
                case Action register:
                    register();
                    break;
                case Action<Syscall> register:
                    register(this);
                    break;
            }
        }
        catch (Exception e)
        {
            domain.SyscallCancelled(Id); // the source may have registered part of it: let it forget
            domain.ResumeException = e;
            return Answered.Resume;
        }

        _counted = true;
        domain.PendingSuspensions++;
        domain.LastSuspended = this;
        domain.Trace(TraceKind.Suspend, task, Id, Name);
        return _signalled ? Answered.Resume : Answered.Park;
    }

    internal override void Cancelled(Promise task)
    {
        if (_counted)
        {
            task.Domain.SyscallCancelled(Id); // reported to the event source at its next Select
            Uncount(task);
        }
    }

    /// <summary>On resumption: the task no longer waits on the event source, and the suspension has ended.</summary>
    internal void Resumed(Promise task)
    {
        if (!ReferenceEquals(Owner, task))
        {
            return; // a suspension refused before it began (another task's syscall): nothing of it is this task's
        }

        _inSuspension = false;
        if (_counted)
        {
            Uncount(task);
        }
    }

    private void Uncount(Promise task)
    {
        _counted = false;
        task.Domain.PendingSuspensions--;
        task.Domain.Trace(TraceKind.Continue, task, Id, Name);
    }
}

/// <summary>What an event source returns from <see cref="IEvents.Select"/> to resume a suspended task.</summary>
public readonly struct Signal
{
    /// <summary>The signal that resumes <paramref name="syscall"/>. Must be built on the syscall's domain.</summary>
    /// <exception cref="ArgumentException">Not on the syscall's domain.</exception>
    public Signal(Syscall syscall)
    {
        ArgumentNullException.ThrowIfNull(syscall);
        if (!syscall.Owner.Domain.IsCurrentThread)
        {
            throw new ArgumentException($"This syscall does not belong to the current domain: {syscall} belongs to {syscall.Domain}.", nameof(syscall));
        }

        Syscall = syscall;
        _id = syscall.Id;
    }

    // The syscall's id when the signal was built: a reused syscall's later wait ignores a signal of an earlier one.
    private readonly int _id;

    /// <summary>The syscall it resumes.</summary>
    public Syscall Syscall { get; }

    internal void Apply() => Syscall?.Fire(_id);
}

/// <summary>The event source of a run that has none: waiting for it is a fatal error that says so.</summary>
internal static class NoEvents
{
    internal static string Message(DomainScheduler domain) =>
        $"A task on {new Domain(domain.Uid)} suspended on a system event ({domain.LastSuspended?.ToString() ?? "a syscall"}), but this " +
        "run has no event source, so nothing could ever resume it. Run the program with an event source: Miou.Unix's run " +
        "entry point for I/O, or RunOptions.Events for your own.";
}
