namespace Miou.DirectStyle.Tests;

/// <summary>
/// Mutex, condition, lazy values (spec §6): the bounded stream of C31 on one domain (its original runs the producer and
/// consumer with <c>call</c>; the rules it checks are the mutex's and condition's), and FiberLazy forced by two fibers.
/// </summary>
public partial class SyncCases
{
    private const int Capacity = 2;
    private readonly Queue<int> _buffer = new();
    private readonly FiberMutex _mutex = new();
    private readonly FiberCondition _notEmpty = new();
    private readonly FiberCondition _notFull = new();

    [Fiber]
    private void Put(int value)
    {
        _mutex.Lock();
        try
        {
            while (_buffer.Count == Capacity)
            {
                _notFull.Wait(_mutex);
            }

            _buffer.Enqueue(value);
            _notEmpty.Signal();
        }
        finally
        {
            _mutex.Unlock();
        }
    }

    [Fiber]
    private int Take() => _mutex.Protect(() =>
    {
        while (_buffer.Count == 0)
        {
            _notEmpty.Wait(_mutex);
        }

        var value = _buffer.Dequeue();
        _notFull.Signal();
        return value;
    });

    [Fiber]
    private List<int> StreamMain()
    {
        var producer = Fiber.Async(() =>
        {
            for (var i = 1; i <= 10; i++)
            {
                Put(i);
            }
        });
        var consumer = Fiber.Async(() =>
        {
            var got = new List<int>();
            for (var i = 0; i < 10; i++)
            {
                got.Add(Take());
                Assert.That(_buffer, Has.Count.LessThanOrEqualTo(Capacity));
            }

            return got;
        });
        Fiber.Await(producer);
        return Fiber.Await(consumer);
    }

    [Test]
    public void C31_bounded_stream_with_mutex_and_condition() => ForSeeds(seed =>
        Assert.That(Fiber.Run(StreamMain, Seeded(seed)), Is.EqualTo(Enumerable.Range(1, 10))));

    private int _computed;

    [Fiber]
    private int LazyMain()
    {
        var lazy = FiberLazy<int>.FromFunc(() =>
        {
            _computed++;
            Fiber.Yield();
            return 42;
        });
        var a = Fiber.Async(() => lazy.Force());
        var b = Fiber.Async(() => lazy.Force());
        return Fiber.Await(a) + Fiber.Await(b);
    }

    [Test]
    public void Lazy_value_forced_by_two_fibers_is_computed_once() => ForSeeds(seed =>
    {
        _computed = 0;
        Assert.That(Fiber.Run(LazyMain, Seeded(seed)), Is.EqualTo(84));
        Assert.That(_computed, Is.EqualTo(1));
    });
}
