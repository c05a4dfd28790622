using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Sync;

/// <summary>
/// <see cref="FiberMutex"/> and <see cref="FiberCondition"/> across domains (spec §6.3, §6.4): C31, and mutual exclusion
/// between tasks of every domain.
/// </summary>
public class BoundedStream
{
    /// <summary>The original's <c>Bounded_stream</c>: a ring buffer, a lock, and two conditions.</summary>
    private sealed class Stream(int capacity)
    {
        private readonly int[] _ring = new int[capacity];
        private readonly FiberMutex _lock = new();
        private readonly FiberCondition _nonEmpty = new();
        private readonly FiberCondition _nonFull = new();
        private int _head;
        private int _count;

        public async Fiber PutAsync(int value)
        {
            await _lock.LockAsync();
            while (_count == _ring.Length)
            {
                await _nonFull.WaitAsync(_lock);
            }

            _ring[(_head + _count) % _ring.Length] = value;
            _count++;
            _nonEmpty.Signal();
            _lock.Unlock();
        }

        public async Fiber<int> GetAsync()
        {
            await _lock.LockAsync();
            while (_count == 0)
            {
                await _nonEmpty.WaitAsync(_lock);
            }

            var value = _ring[_head];
            _head = (_head + 1) % _ring.Length;
            _count--;
            _nonFull.Signal();
            _lock.Unlock();
            return value;
        }
    }

    private static async Fiber<int> Produce(Stream t, int max)
    {
        for (var n = 0; n <= max; n++)
        {
            await t.PutAsync(n);
        }

        return max;
    }

    private static async Fiber<int> Consume(Stream t, int max)
    {
        for (var cur = 0; ; cur++)
        {
            var n = await t.GetAsync();
            if (n != cur)
            {
                throw new InvalidOperationException($"consume: expected {cur}, got {n}");
            }

            if (n == max)
            {
                return n;
            }
        }
    }

    [Test]
    public void C31_bounded_stream_with_mutex_and_condition([Values(1UL, 2UL)] ulong seed)
    {
        // dom0 consumes t1 while three workers produce t0, produce t1 and consume t0; the values arrive in order, nothing
        // deadlocks and no wake-up is lost. (The original evaluates the parallel operand before awaiting the consumer, so
        // the consumer on dom0 runs meanwhile.) The original's counts: 10,000 and 8,000.
        var results = Fiber.Run(async () =>
        {
            var t0 = new Stream(20);
            var t1 = new Stream(30);
            var prm = await Fiber.SpawnAsync(() => Consume(t1, 8000));
            var parallel = await Fiber.ParallelAsync((Func<Fiber<int>> job) => job(),
                [() => Produce(t0, 10000), () => Produce(t1, 8000), () => Consume(t0, 10000)]);
            return parallel.Prepend(await Fiber.AwaitResultAsync(prm)).ToArray();
        }, new RunOptions { Domains = 3, Seed = seed });
        Assert.That(results.Select(r => r.ToString()), Is.EqualTo(new[] { "Ok(8000)", "Ok(10000)", "Ok(8000)", "Ok(10000)" }));
    }

    [Test]
    public void Mutex_serialises_tasks_of_every_domain() => ForSeeds(seed =>
    {
        // Eight tasks, two per domain, each do 500 unsynchronised read-yield-write increments under the lock: with mutual
        // exclusion no increment is lost. At most one holder at a time, checked on entry.
        var (counter, holders, overlaps) = (0, 0, 0);
        Fiber.Run(async () =>
        {
            var mutex = new FiberMutex();

            async Fiber Work()
            {
                for (var i = 0; i < 500; i++)
                {
                    await mutex.LockAsync();
                    if (Interlocked.Increment(ref holders) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    var read = counter;
                    await Fiber.YieldAsync();
                    counter = read + 1;
                    Interlocked.Decrement(ref holders);
                    mutex.Unlock();
                }
            }

            var tasks = new List<Promise>();
            for (var k = 0; k <= 3; k++)
            {
                for (var j = 0; j < 2; j++)
                {
                    tasks.Add(k == 0 ? await Fiber.SpawnAsync(Work) : await Fiber.CallAsync(Work, pin: new Domain(k)));
                }
            }

            foreach (var task in tasks)
            {
                await Fiber.AwaitAsync(task);
            }
        }, new RunOptions { Domains = 3, Seed = seed });
        Assert.That(overlaps, Is.Zero);
        Assert.That(counter, Is.EqualTo(8 * 500));
    }, count: 4);
}
