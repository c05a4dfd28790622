using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Cancellation (spec §1.9): C6, D8, and the teardown of an infinite child.</summary>
public class Cancellation
{
    [Test]
    public void C06_cancel_after_completion() => ForSeeds(seed =>
    {
        var (result, state) = Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(Bodies.Nothing);
            await Fiber.AwaitAsync(p);
            await Fiber.CancelAsync(p);
            return (await Fiber.AwaitResultAsync(p), p.State);
        }, Seeded(seed));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
        // Kept from the original (spec §10 Q2): the task's own outcome is unchanged, only later awaits see the cancel.
        Assert.That(state, Is.EqualTo(PromiseState.Finished));
    });

    [Test]
    public void D08_cancel_after_resolution_rethrows_cancelled() => ForSeeds(seed =>
    {
        // miou.mli, cancel: `p = async (); await_exn p; cancel p; await_exn p` raises Cancelled.
        Assert.Throws<CancelledException>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(Bodies.Nothing);
            await Fiber.AwaitAsync(p);
            await Fiber.CancelAsync(p);
            await Fiber.AwaitAsync(p);
        }, Seeded(seed)));
    });

    [Test]
    public void D08_cancel_of_a_resolved_child_prints_then_rethrows_cancelled()
    {
        // miou.mli, cancel: `p = async (print "Resolved!"); yield (); cancel p; await_exn p` prints "Resolved!" (the yield
        // lets p run first: FIFO order) and then raises Cancelled.
        var log = new List<string>();
        Assert.Throws<CancelledException>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => log.Add("Resolved!"));
            await Fiber.YieldAsync();
            await Fiber.CancelAsync(p);
            log.Add("cancel returned");
            await Fiber.AwaitAsync(p);
        }, Fifo));
        Assert.That(log, Is.EqualTo(new[] { "Resolved!", "cancel returned" }));
    }

    [Test]
    public void Cancel_of_an_infinite_child_runs_its_finally_before_returning() => ForSeeds(seed =>
    {
        // Not a case of the original suite (kept from the first smoke tests; C30 checks the same across domains).
        var (started, finallies) = (false, 0);
        var (seenAtReturn, result) = Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () =>
            {
                started = true;
                try
                {
                    await Bodies.Infinite();
                }
                finally
                {
                    finallies++;
                }
            });
            while (!started)
            {
                await Fiber.YieldAsync();
            }

            await Fiber.CancelAsync(p);
            return (finallies, await Fiber.AwaitResultAsync(p));
        }, Seeded(seed));
        Assert.That(seenAtReturn, Is.EqualTo(1), "cancel returns only after the child's finally ran");
        Assert.That(finallies, Is.EqualTo(1));
        Assert.That(result.Error, Is.TypeOf<CancelledException>());
    });
}
