using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Core;

/// <summary>
/// A void child spawned on its own domain with no orphans and no resources has a promise of exactly <see cref="Promise"/>
/// (a store into a <c>Promise[]</c> then skips the array's covariance check); with orphans it stays a
/// <see cref="Promise{T}"/> of <see cref="Unit"/>, which the collection hands back. Both behave alike.
/// </summary>
public class VoidPromiseTests
{
    [Test]
    public void A_plain_void_child_has_a_promise_of_exactly_Promise_and_one_with_orphans_a_Promise_of_Unit()
    {
        Type? plain = null, withOrphans = null;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => { });
            plain = p.GetType();
            await Fiber.AwaitAsync(p);
            var o = new Orphans<Unit>();
            var q = await Fiber.SpawnAsync(async () => { }, orphans: o);
            withOrphans = q.GetType();
            await Fiber.AwaitAsync(q);
        });

        Assert.That(plain, Is.EqualTo(typeof(Promise)));
        Assert.That(withOrphans, Is.EqualTo(typeof(Promise<Unit>)));
    }

    [Test]
    public void A_plain_void_child_returns_fails_synchronously_fails_after_suspending_and_is_cancelled_as_before() =>
        ForSeeds(seed =>
        {
            var outcomes = new List<string>();
            Fiber.Run(async () =>
            {
                var returned = await Fiber.SpawnAsync(async () => await Fiber.YieldAsync());
                var failsAtOnce = await Fiber.SpawnAsync(() => throw new InvalidOperationException("at once"));
                var failsLater = await Fiber.SpawnAsync(async () =>
                {
                    await Fiber.YieldAsync();
                    throw new InvalidOperationException("later");
                });

                // Never ends on its own: whatever the interleaving, the cancellation finds it running.
                var cancelled = await Fiber.SpawnAsync(async () =>
                {
                    while (true)
                    {
                        await Fiber.YieldAsync();
                    }
                });
                await Fiber.CancelAsync(cancelled);
                foreach (var p in new[] { returned, failsAtOnce, failsLater, cancelled })
                {
                    var r = await Fiber.AwaitResultAsync(p);
                    outcomes.Add(r.IsOk ? $"ok {p.State}" : $"{r.Error!.GetType().Name} {p.State}");
                }
            }, Seeded(seed));

            Assert.That(outcomes, Is.EqualTo(new[]
            {
                "ok Finished", "InvalidOperationException Exited", "InvalidOperationException Exited", "CancelledException Exited",
            }));
        });
}
