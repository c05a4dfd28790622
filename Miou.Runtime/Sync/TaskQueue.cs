namespace Miou.Scheduling;

/// <summary>A FIFO of waiting tasks for synchronisation objects: array-backed, no allocation per wait.</summary>
internal sealed class TaskQueue
{
    private readonly Queue<Promise> _tasks = new();

    internal int Count => _tasks.Count;

    internal void Enqueue(Promise task) => _tasks.Enqueue(task);

    internal bool TryDequeue(out Promise task) => _tasks.TryDequeue(out task!);

    /// <summary>Removes <paramref name="task"/> (a cancelled waiter); false if it is not queued. O(n), on a rare path.</summary>
    internal bool Remove(Promise task)
    {
        var found = false;
        for (var n = _tasks.Count; n > 0; n--)
        {
            var next = _tasks.Dequeue();
            if (!found && ReferenceEquals(next, task))
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
}
