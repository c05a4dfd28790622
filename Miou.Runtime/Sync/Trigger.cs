using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A one-shot signal (spec §6.1): initial, then awaiting (a task parked on it, or an action), then signalled. It can be
/// signalled from any thread, including threads that are not Miou domains; a task parked on it is resumed on its own
/// domain. Used to build synchronisation primitives and event sources.
/// </summary>
public sealed class Trigger
{
    private static readonly object Signalled = new();
    private object? _state; // null: initial; Signalled; a Promise parked on it; an Action<Trigger> to run

    /// <summary>A trigger in its initial state.</summary>
    public Trigger()
    {
    }

    /// <summary>Whether nothing has attached to or signalled the trigger yet.</summary>
    public bool IsInitial => Volatile.Read(ref _state) is null;

    /// <summary>Whether the trigger has been signalled.</summary>
    public bool IsSignalled => ReferenceEquals(Volatile.Read(ref _state), Signalled);

    /// <summary>Signals the trigger: resumes the task parked on it or runs the attached action, once. Idempotent; any thread.</summary>
    public void Signal()
    {
        switch (Interlocked.Exchange(ref _state, Signalled))
        {
            case Promise task:
                task.Domain.Wake(task, this);
                break;
            case Action<Trigger> action:
                action(this);
                break;
        }
    }

    /// <summary>
    /// Attaches an action run (on the signalling thread) when the trigger is signalled. Returns false if it already was.
    /// </summary>
    /// <exception cref="InvalidOperationException">Something is already attached.</exception>
    public bool OnSignal(Action<Trigger> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return TryAttach(action) switch
        {
            Attach.Attached => true,
            Attach.AlreadySignalled => false,
            _ => throw AlreadyAwaiting("An action was attached with Trigger.OnSignal"),
        };
    }

    internal enum Attach
    {
        Attached,
        AlreadySignalled,
        Busy,
    }

    /// <summary>Parks a task on the trigger (the scheduler's side of <see cref="AwaitAsync"/>).</summary>
    internal Attach TryAttachTask(Promise task) => TryAttach(task);

    /// <summary>
    /// The error of a second waiter on a trigger: <paramref name="attempt"/> says what tried to attach (a task's await, an
    /// action), and the message names what is attached already.
    /// </summary>
    internal InvalidOperationException AlreadyAwaiting(string attempt)
    {
        var attached = Volatile.Read(ref _state) switch
        {
            Promise other => $"{other.Describe()} is already parked on it",
            Action<Trigger> => "an action is already attached to it (Trigger.OnSignal)",
            _ => "something is already attached to it",
        };
        return new($"Trigger: already awaiting. {attempt}, but {attached}; a trigger has at most one waiter.");
    }

    private Attach TryAttach(object waiter)
    {
        var previous = Interlocked.CompareExchange(ref _state, waiter, null);
        if (previous is null)
        {
            return Attach.Attached;
        }

        return ReferenceEquals(previous, Signalled) ? Attach.AlreadySignalled : Attach.Busy;
    }

    /// <summary>Parks the calling fiber until the trigger is signalled (direct style).</summary>
    [DirectStyle(nameof(AwaitAsync))]
    public void Await() => throw new NotInFiberException("Trigger.Await");

    /// <summary>Parks the calling fiber until the trigger is signalled. Returns at once (after one scheduling point) if it was.</summary>
    public OpAwaitable AwaitAsync() => OpAwaitable.On(this);
}
