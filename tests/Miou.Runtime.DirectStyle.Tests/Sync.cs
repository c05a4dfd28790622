namespace Miou.DirectStyle.Tests;

/// <summary>
/// Mutex, condition, lazy values (spec §6): the bounded stream of C31 across domains as the original, and on one domain;
/// FiberLazy forced by two fibers, a trigger signalled from a foreign thread (C32) and a computation cancelled by another
/// task (C33).
/// </summary>
public partial class SyncCases
{
    /// <summary>The original's <c>Bounded_stream</c>: a ring buffer, a lock, and two conditions.</summary>
    internal sealed partial class BoundedStream(int capacity)
    {
        private readonly int[] _ring = new int[capacity];
        private readonly FiberMutex _mutex = new();
        private readonly FiberCondition _notEmpty = new();
        private readonly FiberCondition _notFull = new();
        private int _head;

        public int Capacity => _ring.Length;

        /// <summary>How many values are buffered (read without the lock: for checks between operations only).</summary>
        public int Count { get; private set; }

        [Fiber]
        public void Put(int value)
        {
            _mutex.Lock();
            try
            {
                while (Count == _ring.Length)
                {
                    _notFull.Wait(_mutex);
                }

                _ring[(_head + Count) % _ring.Length] = value;
                Count++;
                _notEmpty.Signal();
            }
            finally
            {
                _mutex.Unlock();
            }
        }

        [Fiber]
        public int Get() => _mutex.Protect(() =>
        {
            while (Count == 0)
            {
                _notEmpty.Wait(_mutex);
            }

            var value = _ring[_head];
            _head = (_head + 1) % _ring.Length;
            Count--;
            _notFull.Signal();
            return value;
        });
    }

    /// <summary>The original's <c>produce t 0 max</c>: puts 0..max in order.</summary>
    [Fiber]
    private static int Produce(BoundedStream t, int max)
    {
        for (var n = 0; n <= max; n++)
        {
            t.Put(n);
        }

        return max;
    }

    /// <summary>The original's <c>consume t 0 max</c>: gets 0..max and fails on a value out of order.</summary>
    [Fiber]
    private static int Consume(BoundedStream t, int max)
    {
        for (var cur = 0; ; cur++)
        {
            var n = t.Get();
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

    // C31: dom0 consumes t1 while three workers produce t0, produce t1 and consume t0 (the original evaluates the parallel
    // operand before awaiting the consumer, so the consumer on dom0 runs meanwhile).
    [Fiber]
    private static Result<int>[] C31Main()
    {
        var t0 = new BoundedStream(20);
        var t1 = new BoundedStream(30);
        var prm = Fiber.Async(() => Consume(t1, 8000));
        var parallel = Fiber.Parallel((int job) => job switch
        {
            0 => Produce(t0, 10000),
            1 => Produce(t1, 8000),
            _ => Consume(t0, 10000),
        }, [0, 1, 2]);
        return parallel.Prepend(Fiber.AwaitResult(prm)).ToArray();
    }

    [Test]
    public void C31_bounded_stream_with_mutex_and_condition([Values(1UL, 2UL)] ulong seed) =>
        Assert.That(Fiber.Run(C31Main, new RunOptions { Domains = 3, Seed = seed }).Select(r => r.ToString()),
            Is.EqualTo(new[] { "Ok(8000)", "Ok(10000)", "Ok(8000)", "Ok(10000)" }));

    // The same rules on dom0 alone, under every seed: the buffer never holds more than its capacity.
    [Fiber]
    private static List<int> OneDomainStreamMain()
    {
        var stream = new BoundedStream(2);
        var producer = Fiber.Async(() =>
        {
            for (var i = 1; i <= 10; i++)
            {
                stream.Put(i);
            }
        });
        var consumer = Fiber.Async(() =>
        {
            var got = new List<int>();
            for (var i = 0; i < 10; i++)
            {
                got.Add(stream.Get());
                Assert.That(stream.Count, Is.LessThanOrEqualTo(stream.Capacity));
            }

            return got;
        });
        Fiber.Await(producer);
        return Fiber.Await(consumer);
    }

    [Test]
    public void C31_bounded_stream_on_one_domain() => ForSeeds(seed =>
        Assert.That(Fiber.Run(OneDomainStreamMain, Seeded(seed)), Is.EqualTo(Enumerable.Range(1, 10))));

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

    [Fiber]
    private static bool C32Main(Trigger trigger, Thread signaller)
    {
        signaller.Start();
        trigger.Await();
        return trigger.IsSignalled;
    }

    [Test]
    public void C32_trigger_signalled_from_a_foreign_thread() => ForSeeds(seed =>
    {
        // A plain thread (not a domain) waits until the root is parked on the trigger (it is then no longer initial),
        // then signals it: the wake-up crosses to dom0, which may be asleep waiting for work.
        var trigger = new Trigger();
        var sawParked = false;
        var signaller = new Thread(() =>
        {
            sawParked = SpinWait.SpinUntil(() => !trigger.IsInitial, TimeSpan.FromSeconds(30));
            trigger.Signal();
        });
        var resumed = Fiber.Run(C32Main, trigger, signaller, Seeded(seed));
        signaller.Join();
        Assert.That(sawParked, Is.True, "the root parked on the trigger before the foreign thread signalled it");
        Assert.That(resumed, Is.True);
    }, count: 4);

    /// <summary>The original's fib, linear (sic), checking the computation at every step.</summary>
    [Fiber]
    private static int Fib(Computation<int> c, int i)
    {
        c.ThrowIfErrored();
        Fiber.Yield();
        return i <= 1 ? i : Fib(c, i - 1) + (i - 2);
    }

    [Fiber]
    private static (Exception? Awaited, bool Captured, bool Cancelled) C33Main(Computation<int> c, Exception exit)
    {
        // The original's `Computation.try_capture c fib 80`, spelt out: c.TryCapture(() => Fib(c, 80)) is refused
        // (MIOUG013), as TryCapture has no direct-style form for a suspending body (/tmp/miou-runtime-bugs.md). A
        // cancellation of p1 itself is not captured.
        var p1 = Fiber.Async(() =>
        {
            int value;
            try
            {
                value = Fib(c, 80);
            }
            catch (Exception e) when (e is not CancelledException)
            {
                return c.TryCancel(e);
            }

            return c.TryReturn(value);
        });
        var p2 = Fiber.Async(() => c.TryCancel(exit));
        Exception? error = null;
        try
        {
            c.AwaitValue();
        }
        catch (ExitException e)
        {
            error = e;
        }

        var byP2 = Fiber.Await(p2);
        var byP1 = Fiber.Await(p1); // p1 ends normally: the Exit raised in fib was captured, not thrown
        return (error, byP1, byP2);
    }

    [Test]
    public void C33_computation_cancelled_by_another_task() => ForSeeds(seed =>
    {
        var exit = new ExitException();
        var c = new Computation<int>();
        var (awaited, captured, cancelled) = Fiber.Run(C33Main, c, exit, Seeded(seed));
        Assert.That(awaited, Is.SameAs(exit), "awaiting the computation rethrows the exception it was cancelled with");
        Assert.That(cancelled, Is.True, "p2 cancelled the running computation");
        Assert.That(captured, Is.False, "p1's capture came second: the first writer wins");
        Assert.That(c.Peek()?.Error, Is.SameAs(exit));
    });
}
