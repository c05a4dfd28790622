namespace Miou.Scheduling;

/// <summary>
/// A domain's runnable tasks: a ring buffer popped from the head (FIFO) or at a random slot (the random policy swaps
/// the chosen entry to the head first, O(1)). Entries carry the task's ticket at enqueue time: a task taken out of the
/// queue by other means (a cancellation resumes it at once) bumps its ticket, so its old entry is skipped.
/// </summary>
internal sealed class RunQueue
{
    private (Promise Task, int Ticket)[] _items = new (Promise, int)[64];
    private int _head;
    private int _count;

    internal int Count => _count;

    internal void Push(Promise task, int ticket)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = (task, ticket);
        _count++;
    }

    internal bool TryPop(Prng? random, out Promise task, out int ticket)
    {
        if (_count == 0)
        {
            task = null!;
            ticket = 0;
            return false;
        }

        var mask = _items.Length - 1;
        if (random is not null && _count > 1)
        {
            var i = (_head + random.Next(_count)) & mask;
            (_items[i], _items[_head]) = (_items[_head], _items[i]);
        }

        (task, ticket) = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) & mask;
        _count--;
        return true;
    }

    private void Grow()
    {
        var bigger = new (Promise, int)[_items.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = bigger;
        _head = 0;
    }
}
