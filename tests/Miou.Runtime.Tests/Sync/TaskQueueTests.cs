using Miou.Scheduling;

namespace Miou.Tests.Sync;

/// <summary>
/// The waiters' FIFO of the mutex and the condition: its oldest entry in a field, the others in a queue made at the
/// second waiter. Order through the field and the queue, removal of a cancelled waiter wherever it is, and taking all.
/// </summary>
public class TaskQueueTests
{
    private readonly struct Entry(Promise task, int tag) : ITaskEntry
    {
        public Promise Task { get; } = task;

        public int Tag { get; } = tag;
    }

    private static Promise[] Tasks(int count)
    {
        var tasks = new Promise[count];
        Fiber.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                tasks[i] = await Fiber.SpawnAsync(async () => { });
            }

            foreach (var task in tasks)
            {
                await Fiber.AwaitAsync(task);
            }
        });
        return tasks;
    }

    private static List<int> Drain(TaskQueue<Entry> queue)
    {
        var tags = new List<int>();
        while (!queue.IsEmpty)
        {
            tags.Add(queue.Dequeue().Tag);
        }

        return tags;
    }

    [Test]
    public void Entries_come_out_oldest_first_through_the_field_and_the_queue_interleaved()
    {
        var tasks = Tasks(5);
        var queue = new TaskQueue<Entry>();
        Assert.That(queue.IsEmpty, Is.True);
        queue.Enqueue(new Entry(tasks[0], 0));
        queue.Enqueue(new Entry(tasks[1], 1));
        queue.Enqueue(new Entry(tasks[2], 2));
        Assert.That(queue.Count, Is.EqualTo(3));
        Assert.That(queue.Dequeue().Tag, Is.EqualTo(0));
        queue.Enqueue(new Entry(tasks[3], 3));
        Assert.That(queue.Dequeue().Tag, Is.EqualTo(1));
        Assert.That(queue.Dequeue().Tag, Is.EqualTo(2));
        Assert.That(queue.Dequeue().Tag, Is.EqualTo(3));
        Assert.That(queue.IsEmpty, Is.True);
        Assert.That(queue.Count, Is.Zero);
        queue.Enqueue(new Entry(tasks[4], 4));
        Assert.That(Drain(queue), Is.EqualTo(new[] { 4 }));
    }

    [TestCase(0, new[] { 1, 2, 3 })]
    [TestCase(1, new[] { 0, 2, 3 })]
    [TestCase(3, new[] { 0, 1, 2 })]
    public void A_removed_waiter_leaves_the_others_in_order(int removed, int[] left)
    {
        var tasks = Tasks(4);
        var queue = new TaskQueue<Entry>();
        for (var i = 0; i < 4; i++)
        {
            queue.Enqueue(new Entry(tasks[i], i));
        }

        Assert.That(queue.Remove(tasks[removed]), Is.True);
        Assert.That(queue.Remove(tasks[removed]), Is.False, "removed once");
        Assert.That(Drain(queue), Is.EqualTo(left));
    }

    [Test]
    public void Taking_all_empties_the_queue_oldest_first()
    {
        var tasks = Tasks(3);
        var queue = new TaskQueue<Entry>();
        for (var i = 0; i < 3; i++)
        {
            queue.Enqueue(new Entry(tasks[i], i));
        }

        Assert.That(queue.DequeueAll().Select(e => e.Tag), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(queue.IsEmpty, Is.True);
        Assert.That(queue.DequeueAll(), Is.Empty);
        Assert.That(queue.Remove(tasks[0]), Is.False);
    }
}
