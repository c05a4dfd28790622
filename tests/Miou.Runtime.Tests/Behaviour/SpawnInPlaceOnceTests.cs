using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// A spawn whose points are answered in place (<c>DomainScheduler.TryPointsInPlace</c>, in the awaiter's <c>IsCompleted</c>)
/// and then made by its <c>GetResult</c>: each child is spawned exactly once, in the order of the spawns, and the promise
/// returned is the one spawned, for void and valued spawns, beside a sibling whose yields make some of the spawns' points
/// give way to other steps, under FIFO and under seeds.
/// </summary>
public class SpawnInPlaceOnceTests
{
    [Test]
    public void Each_spawn_is_made_once_under_FIFO() => Check(Fifo);

    [Test]
    public void Each_spawn_is_made_once_under_seeds() => ForSeeds(seed => Check(Seeded(seed)));

    [Test]
    public void Each_spawn_is_made_once_with_quanta_2() => ForSeeds(seed => Check(Seeded(seed) with { Quanta = 2 }), 4);

    private static void Check(RunOptions options)
    {
        var spawned = new List<int>();
        var returned = new List<int>();
        var sum = 0;
        Fiber.Run(async () =>
        {
            var yielder = await Fiber.SpawnAsync(async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await Fiber.YieldAsync();
                }
            });
            returned.Add(yielder.Id);
            var voids = new List<Promise>();
            var valued = new List<Promise<int>>();
            for (var i = 0; i < 4; i++)
            {
                var child = await Fiber.SpawnAsync(async () => { });
                returned.Add(child.Id);
                voids.Add(child);
                var value = i;
                var withValue = await Fiber.SpawnAsync(async () => value);
                returned.Add(withValue.Id);
                valued.Add(withValue);
            }

            foreach (var child in voids)
            {
                await Fiber.AwaitAsync(child);
            }

            foreach (var child in valued)
            {
                sum += await Fiber.AwaitAsync(child);
            }

            await Fiber.AwaitAsync(yielder);
        }, options with { Trace = t => { if (t.Kind == TraceKind.Spawn) { spawned.Add(t.PromiseId); } } });

        Assert.That(returned, Has.Count.EqualTo(9));
        Assert.That(spawned, Is.EqualTo(returned));
        Assert.That(sum, Is.EqualTo(6));
    }
}
