using System.Runtime.ExceptionServices;

namespace Miou.Tests.Sync;

/// <summary>
/// Randomised races between real threads, in rounds: the stand-in for the original's dscheck model checking
/// (miou-tests.md §3), which explores every interleaving of a few atomic operations. We cannot enumerate interleavings, so
/// each round releases the threads together from a barrier, each after a random delay drawn from the seed, and the round's
/// final invariants are checked once all threads are done. The delays mix none, short spins, a yield and a 1 ms sleep, so
/// that in a fair share of rounds some threads finish before others start whatever the machine's load (random short spins
/// alone fall into a fixed pattern on a loaded 2-core machine). Many rounds make every outcome likely; the tests also check
/// that every outcome did occur. A failure names the seed and the round.
/// </summary>
internal static class Races
{
    /// <summary>
    /// For each of <paramref name="rounds"/> rounds: <paramref name="setup"/> on the calling thread, then operation
    /// <c>i</c> of <paramref name="operations"/> on thread <c>i</c> (all released at once), then <paramref name="check"/> on
    /// the calling thread.
    /// </summary>
    internal static void Run(int seed, int rounds, Action<int> setup, Action<int> check, params Action[] operations)
    {
        var stop = false;
        using var barrier = new Barrier(operations.Length + 1);
        var errors = new ExceptionDispatchInfo?[operations.Length];
        var threads = operations.Select((operation, i) => new Thread(() =>
        {
            var random = new Random(seed * 31 + i);
            while (true)
            {
                barrier.SignalAndWait();
                if (Volatile.Read(ref stop))
                {
                    return;
                }

                try
                {
                    Delay(random);
                    operation();
                }
                catch (Exception e)
                {
                    errors[i] ??= ExceptionDispatchInfo.Capture(e);
                }

                barrier.SignalAndWait();
            }
        })
        { IsBackground = true, Name = $"race {i}" }).ToList();
        threads.ForEach(t => t.Start());

        var round = 0;
        ExceptionDispatchInfo? failure = null;
        try
        {
            for (; round < rounds; round++)
            {
                setup(round);
                barrier.SignalAndWait(); // go
                barrier.SignalAndWait(); // all done
                errors.FirstOrDefault(e => e is not null)?.Throw();
                check(round);
            }
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            Volatile.Write(ref stop, true);
            barrier.SignalAndWait(); // the threads see the stop and end
            threads.ForEach(t => t.Join());
        }

        if (failure is not null)
        {
            throw new AssertionException(
                $"[seed {seed}, round {round}] {failure.SourceException.GetType().Name}: {failure.SourceException.Message}", failure.SourceException);
        }
    }

    private static void Delay(Random random)
    {
        switch (random.Next(16))
        {
            case < 8:
                break;
            case < 12:
                Thread.SpinWait(random.Next(256));
                break;
            case < 15:
                Thread.Yield();
                break;
            default:
                Thread.Sleep(1); // lets the other threads run first, even on a busy machine
                break;
        }
    }
}
