namespace Miou.Scheduling;

/// <summary>
/// A domain's runnable tasks: a ring buffer popped from the head (FIFO) or at a random slot (the random policy swaps
/// the chosen entry to the head first, O(1)). A task taken out of the queue by other means (a cancellation resumes it at
/// once) leaves its entry behind, marked by <see cref="Promise.HasStaleEntry"/>: the first entry of it popped later is
/// skipped. In FIFO order that is the stale one; in random order either entry may be, and which one does not matter.
/// </summary>
internal sealed class RunQueue
{
    private Entry[] _items = new Entry[64];
    private int _head;
    private int _count;

    internal int Count => _count;

    internal void Push(Promise task)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = new Entry(task);
        _count++;
    }

    /// <summary>The task at the head (the next a FIFO pop returns); the queue is not empty.</summary>
    internal Promise Head
    {
        get
        {
            System.Diagnostics.Debug.Assert(_count > 0, "the queue is not empty");
            return _items[_head].Task!;
        }
    }

    /// <summary>
    /// The next task to run, or null when the queue is empty. Returned, not an <c>out</c> parameter: a reference stored
    /// through a byref costs a checked write barrier.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal Promise? TryPop(Prng? random)
    {
        if (_count == 0)
        {
            return null;
        }

        var mask = _items.Length - 1;
        var head = _head;
        var chosen = head;
        if (random is not null && _count > 1)
        {
            chosen = (head + random.Next(_count)) & mask;
        }

        // As if the chosen entry were swapped with the head's, then the head popped: one reference store, not two.
        var task = _items[chosen].Task!;
        if (chosen != head)
        {
            _items[chosen] = _items[head];
        }

        _items[head] = default;
        _head = (_head + 1) & mask;
        _count--;
        return task;
    }

    private void Grow()
    {
        var bigger = new Entry[_items.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = bigger;
        _head = 0;
    }

    /// <summary>
    /// An entry: a promise in a struct, because storing a reference into an array of a non-sealed class type costs a
    /// covariance check (<c>StelemRef</c>, 8% of spawn+await in a profile); an array of structs has none.
    /// </summary>
    private readonly struct Entry(Promise task)
    {
        internal readonly Promise? Task = task;
    }
}
