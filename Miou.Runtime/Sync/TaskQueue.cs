namespace Miou.Scheduling;

/// <summary>An entry of a <see cref="TaskQueue{T}"/>: a waiting task and whatever its object keeps with it.</summary>
internal interface ITaskEntry
{
    /// <summary>The waiting task.</summary>
    Promise Task { get; }
}

/// <summary>
/// A FIFO of waiting tasks for synchronisation objects, no allocation per wait. The oldest entry is kept in a field, the
/// others in a queue made at the second waiter: a mutex's or a condition's waiters are usually one at most (the hand-off
/// of two fibers), and then an enqueue and a dequeue are a few field stores, without the queue's array indexing,
/// wrap-around and version counting.
/// </summary>
/// <remarks>
/// Entries are structs: storing a reference into an array of a non-sealed class type costs a covariance check
/// (<c>StelemRef</c>, 2% of the mutex hand-off in a profile); an array of structs has none. Invariant: no first entry
/// means no other entry either. Not thread-safe: its object's gate guards it.
/// </remarks>
internal sealed class TaskQueue<T>
    where T : struct, ITaskEntry
{
    private T _first;
    private bool _hasFirst;
    private Queue<T>? _rest;

    internal int Count => !_hasFirst ? 0 : 1 + (_rest?.Count ?? 0);

    internal void Enqueue(T entry)
    {
        if (!_hasFirst)
        {
            _first = entry;
            _hasFirst = true;
        }
        else
        {
            (_rest ??= new()).Enqueue(entry);
        }
    }

    internal bool IsEmpty => !_hasFirst;

    /// <summary>
    /// Takes the oldest entry; the queue must not be empty. Returned, not an <c>out</c> parameter (a reference stored
    /// through a byref costs a checked write barrier; an entry of up to two references comes back in registers).
    /// </summary>
    internal T Dequeue()
    {
        System.Diagnostics.Debug.Assert(_hasFirst, "dequeued from an empty queue");
        var entry = _first;
        if (_rest is { Count: > 0 } rest)
        {
            _first = rest.Dequeue();
        }
        else
        {
            _first = default; // a constant null store for each reference: no GC write barrier, and nothing kept alive
            _hasFirst = false;
        }

        return entry;
    }

    /// <summary>Takes every entry, oldest first.</summary>
    internal T[] DequeueAll()
    {
        var all = new T[Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = Dequeue();
        }

        return all;
    }

    /// <summary>Removes the entry of <paramref name="task"/> (a cancelled waiter); false if it is not queued. O(n), on a rare path.</summary>
    internal bool Remove(Promise task)
    {
        var found = false;
        for (var n = Count; n > 0; n--)
        {
            var next = Dequeue();
            if (!found && ReferenceEquals(next.Task, task))
            {
                found = true;
            }
            else
            {
                Enqueue(next);
            }
        }

        return found;
    }
}
