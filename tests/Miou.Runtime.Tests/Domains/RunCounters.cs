using System.Collections.Concurrent;
using Miou.Tests.Support;
using static Miou.Tests.Domains.DomainRuns;

namespace Miou.Tests.Domains;

/// <summary>
/// The run's promise ids and live-task count are plain counters while only dom0 runs tasks, interlocked once a task is
/// started on another domain. These pin both halves: ids in spawn order on one domain, and unique ids and a run that
/// ends (the live count reaches zero exactly) when dom0 and several workers spawn at the same time. Counters left plain
/// after the switch show as duplicate ids or as a run that never ends (a lost decrement: checked by hand, it hangs).
/// </summary>
public class RunCounters
{
    [Test]
    public void Ids_follow_the_spawn_order_on_one_domain() => Runs.ForSeeds(seed =>
    {
        var ids = Fiber.Run(async () =>
        {
            var seen = new List<int>();
            var children = new List<Promise>();
            for (var i = 0; i < 5; i++)
            {
                children.Add(await Fiber.SpawnAsync(async () => await Fiber.YieldAsync()));
            }

            foreach (var child in children)
            {
                seen.Add(child.Id);
                await Fiber.AwaitAsync(child);
            }

            return seen;
        }, Two(seed));

        Assert.That(ids, Is.EqualTo(new[] { 2, 3, 4, 5, 6 }), "the root is 1");
    });

    [Test]
    public void Ids_stay_unique_and_the_run_ends_when_every_domain_spawns_at_once() => Runs.ForSeeds(seed =>
    {
        const int PerSpawner = 300;
        var ids = new ConcurrentBag<int>();

        async Fiber SpawnMany()
        {
            var children = new List<Promise>();
            for (var i = 0; i < PerSpawner; i++)
            {
                var child = await Fiber.SpawnAsync(async () => await Fiber.YieldAsync());
                ids.Add(child.Id);
                children.Add(child);
            }

            foreach (var child in children)
            {
                await Fiber.AwaitAsync(child);
            }
        }

        Fiber.Run(async () =>
        {
            var calls = new List<Promise>();
            for (var i = 0; i < 3; i++)
            {
                var call = await Fiber.CallAsync(SpawnMany);
                ids.Add(call.Id);
                calls.Add(call);
            }

            await SpawnMany(); // dom0 spawns too, while the workers do
            foreach (var call in calls)
            {
                await Fiber.AwaitAsync(call);
            }
        }, Three(seed));

        Assert.That(ids.Distinct().Count(), Is.EqualTo(4 * PerSpawner + 3), "every id is unique");
        Assert.That(ids.Max(), Is.EqualTo(4 * PerSpawner + 4), "no id skipped: the root is 1");
    }, count: 4);
}
