namespace Miou.Scheduling;

/// <summary>A FIFO of waiting tasks for synchronisation objects: array-backed, no allocation per wait.</summary>
internal sealed class TaskQueue
{
    // Entries, not promises: storing a reference into an array of a non-sealed class type costs a covariance check
    // (StelemRef, 2% of the mutex hand-off in a profile); an array of structs has none.
    private readonly Queue<Entry> _tasks = new();

    internal int Count => _tasks.Count;

    internal void Enqueue(Promise task) => _tasks.Enqueue(new Entry(task));

    /// <summary>The oldest waiter, or null: returned, not an <c>out</c> parameter (no checked write barrier).</summary>
    internal Promise? TryDequeue() => _tasks.TryDequeue(out var entry) ? entry.Task : null;

    /// <summary>Removes <paramref name="task"/> (a cancelled waiter); false if it is not queued. O(n), on a rare path.</summary>
    internal bool Remove(Promise task)
    {
        var found = false;
        for (var n = _tasks.Count; n > 0; n--)
        {
            var next = _tasks.Dequeue();
            if (!found && ReferenceEquals(next.Task, task))
            {
                found = true;
            }
            else
            {
                _tasks.Enqueue(next);
            }
        }

        return found;
    }

    private readonly struct Entry(Promise task)
    {
        internal readonly Promise? Task = task;
    }
}
