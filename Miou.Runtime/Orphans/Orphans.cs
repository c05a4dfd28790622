using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A collection of background children (spec §3): spawn into it with the <c>orphans</c> argument of
/// <c>Fiber.Async</c>/<c>Fiber.Call</c>, then collect them with <see cref="Care"/>, <see cref="Take"/> or <see cref="Get"/>.
/// The first task that uses it owns it; any other task using it gets an <see cref="ArgumentException"/>. Members are still
/// children of the owner: it must consume them (await or cancel) before returning normally.
/// </summary>
public sealed class Orphans<T>
{
    private readonly LinkedList<Promise<T>> _members = new(); // newest first; touched only by the owner's task
    private Promise? _owner;
    private int _count;

    /// <summary>How many members the collection holds. Not a scheduling point.</summary>
    public int Count => Volatile.Read(ref _count);

    internal void Register(Promise task, Promise<T> child)
    {
        Claim(task, "spawn into");
        _members.AddFirst(child);
        Interlocked.Increment(ref _count);
    }

    private void Claim(Promise task, string operation)
    {
        var owner = Interlocked.CompareExchange(ref _owner, task, null) ?? task;
        if (owner != task)
        {
            throw new ArgumentException(
                $"The given orphans is owned by another promise: {task.Describe()} tried to {operation} a collection owned by {owner.Describe()}.",
                "orphans");
        }
    }

    /// <summary>A member that has terminated, removed from the collection; null if none has (direct style).</summary>
    [DirectStyle(nameof(CareAsync))]
    public Promise<T>? Care() => throw new NotInFiberException("Orphans.Care");

    /// <summary>
    /// A member that has terminated (the newest such), removed from the collection; null if the collection is empty or no
    /// member has terminated (<see cref="Count"/> tells which). The caller must still await it (it will not block).
    /// </summary>
    public async Fiber<Promise<T>?> CareAsync()
    {
        await OpAwaitable.Points(1);
        Claim(DomainScheduler.CurrentTask!, "care for");
        for (var node = _members.First; node is not null; node = node.Next)
        {
            if (node.Value.IsTerminated)
            {
                Remove(node);
                return node.Value;
            }
        }

        return null;
    }

    /// <summary>The newest member whatever its state, removed from the collection; null if empty (direct style).</summary>
    [DirectStyle(nameof(TakeAsync))]
    public Promise<T>? Take() => throw new NotInFiberException("Orphans.Take");

    /// <summary>The newest member whatever its state, removed from the collection; null if empty. The caller must await or cancel it.</summary>
    public async Fiber<Promise<T>?> TakeAsync()
    {
        await OpAwaitable.Points(1);
        Claim(DomainScheduler.CurrentTask!, "take from");
        if (_members.First is not { } node)
        {
            return null;
        }

        Remove(node);
        return node.Value;
    }

    /// <summary>Waits for a member to terminate and consumes it; null if the collection is empty (direct style).</summary>
    [DirectStyle(nameof(GetAsync))]
    public Result<T>? Get() => throw new NotInFiberException("Orphans.Get");

    /// <summary>
    /// Waits until a member has terminated, then removes it from the collection and from the owner's children (no await
    /// needed) and returns its outcome; null if the collection is empty. Members that returned a value are preferred over
    /// failed ones; ties are broken at random (spec §3).
    /// </summary>
    public async Fiber<Result<T>?> GetAsync()
    {
        var me = Suspension.CurrentTask("Orphans.GetAsync");
        Claim(me, "get from");
        if (_members.Count == 0)
        {
            await OpAwaitable.Points(1);
            return null;
        }

        var snapshot = _members.ToArray();
        var winner = snapshot[await new AwaitAnyAwaitable(snapshot)];
        _members.Remove(winner);
        Interlocked.Decrement(ref _count);
        return winner.Outcome();
    }

    private void Remove(LinkedListNode<Promise<T>> node)
    {
        _members.Remove(node);
        Interlocked.Decrement(ref _count);
    }
}
