using System.Runtime.CompilerServices;
using Miou.Tests.Support;

namespace Miou.Tests.Sync;

/// <summary>
/// S1–S3 (miou-tests.md §3), as far as they apply: the original model-checks <c>Trigger</c> and <c>Computation</c> with
/// dscheck over every interleaving; here real threads race in many rounds (<see cref="Races"/>), and the final invariants
/// of each round are those of the original. Every outcome the original requires to be reachable must occur.
/// </summary>
public class TriggerAndComputationRaces
{
    private const int Rounds = 1000;

    [Test]
    public void S1_trigger([Values(1, 2)] int seed)
    {
        // Per round: a fresh trigger; 2 threads signal it, 2 threads attach an action with OnSignal. Count the OnSignal
        // calls that won (true), lost (false: already signalled) or raised (something was already attached).
        Trigger t = null!;
        int won = 0, lost = 0, raised = 0, signalled = 0;
        var totals = new int[4];

        void Attach()
        {
            try
            {
                Interlocked.Increment(ref t.OnSignal(_ => Interlocked.Increment(ref signalled)) ? ref won : ref lost);
            }
            catch (InvalidOperationException)
            {
                Interlocked.Increment(ref raised);
            }
        }

        Races.Run(seed, Rounds,
            setup: _ =>
            {
                t = new Trigger();
                Assert.That(t.IsInitial, Is.True);
                won = lost = raised = signalled = 0;
            },
            check: _ =>
            {
                Assert.That(t.IsSignalled, Is.True);
                Assert.That(won, Is.LessThanOrEqualTo(1));
                Assert.That(signalled, Is.EqualTo(won), "an attached action runs exactly once");
                Assert.That(lost, Is.LessThanOrEqualTo(2));
                Assert.That(raised, Is.LessThanOrEqualTo(won));
                Assert.That(raised == 1, Is.EqualTo(lost == 0));
                Assert.That(won + lost + raised, Is.EqualTo(2));
                totals[0] += won;
                totals[1] += lost;
                totals[2] += raised;
                totals[3] += signalled;
            },
            () => t.Signal(), () => t.Signal(), Attach, Attach);

        TestContext.Out.WriteLine($"won, lost, raised, signalled over {Rounds} rounds: {string.Join(", ", totals)}");
        Assert.That(totals, Is.All.Positive, "every outcome occurs");
    }

    [Test]
    public void S2_computation([Values(1, 2)] int seed)
    {
        // Per round: a fresh computation; one thread returns 101, one cancels it with Exit, two attach a trigger each.
        Computation<int> c = null!;
        var triggers = new Trigger[2];
        var attached = new bool[2];
        bool returned = false, cancelled = false;
        var (totalAttached, totalRefused, totalReturned, totalCancelled) = (0, 0, 0, 0);

        Races.Run(seed, Rounds,
            setup: _ =>
            {
                c = new Computation<int>();
                triggers[0] = new Trigger();
                triggers[1] = new Trigger();
                returned = cancelled = false;
            },
            check: _ =>
            {
                var outcome = c.Peek();
                Assert.That(outcome, Is.Not.Null);
                if (outcome!.Value.IsOk)
                {
                    Assert.That(outcome.Value.Value, Is.EqualTo(101));
                    Assert.That((returned, cancelled), Is.EqualTo((true, false)));
                    totalReturned++;
                }
                else
                {
                    Assert.That(outcome.Value.Error, Is.TypeOf<ExitException>());
                    Assert.That((returned, cancelled), Is.EqualTo((false, true)));
                    totalCancelled++;
                }

                for (var i = 0; i < 2; i++)
                {
                    Assert.That(triggers[i].IsSignalled, Is.EqualTo(attached[i]), "attached triggers are signalled on completion, refused ones untouched");
                    _ = attached[i] ? totalAttached++ : totalRefused++;
                }
            },
            () => returned = c.TryReturn(101),
            () => cancelled = c.TryCancel(new ExitException()),
            () => attached[0] = c.TryAttach(triggers[0]),
            () => attached[1] = c.TryAttach(triggers[1]));

        var totals = new[] { totalAttached, totalRefused, totalReturned, totalCancelled };
        TestContext.Out.WriteLine($"attached, refused, returned, cancelled over {Rounds} rounds: {string.Join(", ", totals)}");
        Assert.That(totals, Is.All.Positive, "every outcome occurs");
    }

    [Test]
    public void S3_detached_triggers_are_not_kept([Values(1, 2)] int seed)
    {
        // The original checks picos's amortised "balance" counter: after 4 concurrent attach/detach pairs, at most 2 stale
        // triggers remain, and a fresh attach garbage-collects them. Our Computation has no such counter: it keeps a plain
        // list under a lock, and Detach removes the trigger at once. So this checks the observable contract instead: on 4
        // threads, each attach succeeds and each detach signals its trigger; afterwards the computation is still running and
        // holds none of them (they are garbage-collectable while it is alive); a fresh attach then succeeds and is signalled
        // when the computation completes.
        const int rounds = Rounds / 2;
        var computations = new List<Computation<int>>(rounds); // all kept alive until the end
        var detached = new List<WeakReference<Trigger>>(rounds * 4);
        Computation<int> c = null!;
        var triggers = new Trigger[4];

        void Pair(int i)
        {
            var trigger = triggers[i];
            Assert.That(c.TryAttach(trigger), Is.True);
            c.Detach(trigger);
        }

        Races.Run(seed, rounds,
            setup: _ =>
            {
                c = new Computation<int>();
                computations.Add(c);
                for (var i = 0; i < 4; i++)
                {
                    triggers[i] = new Trigger();
                    detached.Add(new WeakReference<Trigger>(triggers[i]));
                }
            },
            check: _ => Assert.That(triggers.All(t => t.IsSignalled) && c.IsRunning, Is.True, "every detach signals its trigger; the computation still runs"),
            () => Pair(0), () => Pair(1), () => Pair(2), () => Pair(3));

        Array.Clear(triggers);
        c = null!;
        Assert.That(CountAlive(detached), Is.Zero, "a detached trigger is still referenced (by its computation)");

        foreach (var computation in computations)
        {
            var fresh = new Trigger();
            Assert.That(computation.TryAttach(fresh), Is.True);
            Assert.That(computation.TryReturn(1), Is.True);
            Assert.That(fresh.IsSignalled, Is.True);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CountAlive(List<WeakReference<Trigger>> references)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return references.Count(r => r.TryGetTarget(out _));
    }
}
