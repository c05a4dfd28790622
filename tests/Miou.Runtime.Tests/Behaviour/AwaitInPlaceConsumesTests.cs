using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Behaviour;

/// <summary>
/// Awaits answered in the awaiter (<c>DomainScheduler.TryAwaitInPlace</c>: a finished child by the slot's budget, a child
/// still running by the steps run in place until it ends): every way of awaiting (value, outcome, void, void outcome) still
/// returns or rethrows the child's outcome, and each awaited child counts as consumed (the parent ends without breaking
/// rule 1), under FIFO and under seeds.
/// </summary>
public class AwaitInPlaceConsumesTests
{
    [Test]
    public void Awaits_answered_in_place_consume_and_return_under_FIFO() =>
        Assert.That(Check(Fifo), Is.EqualTo("3 boom ok boom 1 2 3 boom ok boom 1 2"));

    [Test]
    public void Awaits_answered_in_place_consume_and_return_under_seeds() =>
        ForSeeds(seed => Assert.That(Check(Seeded(seed)), Is.EqualTo("3 boom ok boom 1 2 3 boom ok boom 1 2")));

    private static string Check(RunOptions options)
    {
        var log = new List<string>();
        Fiber.Run(async () =>
        {
            for (var round = 0; round < 2; round++)
            {
                var valued = await Fiber.SpawnAsync(static async () => 3);
                var failing = await Fiber.SpawnAsync(static async () =>
                {
                    await Fiber.YieldAsync();
                    throw new InvalidOperationException("boom");
                });
                var quiet = await Fiber.SpawnAsync(static async () => await Fiber.YieldAsync());
                var failingVoid = await Fiber.SpawnAsync(static async Fiber () =>
                {
                    await Fiber.YieldAsync();
                    await Fiber.YieldAsync();
                    throw new InvalidOperationException("boom");
                });
                var slow = await Fiber.SpawnAsync(static async () =>
                {
                    for (var i = 0; i < 4; i++)
                    {
                        await Fiber.YieldAsync();
                    }

                    return 1;
                });
                var slower = await Fiber.SpawnAsync(static async () =>
                {
                    for (var i = 0; i < 6; i++)
                    {
                        await Fiber.YieldAsync();
                    }

                    return 2;
                });
                log.Add($"{await Fiber.AwaitAsync(valued)}");
                log.Add((await Fiber.AwaitResultAsync(failing)).Error?.Message ?? "none");
                await Fiber.AwaitAsync(quiet);
                log.Add("ok");
                try
                {
                    await Fiber.AwaitAsync(failingVoid);
                    log.Add("none");
                }
                catch (InvalidOperationException e)
                {
                    log.Add(e.Message);
                }

                log.Add($"{(await Fiber.AwaitResultAsync(slow)).Value}");
                log.Add($"{await Fiber.AwaitAsync(slower)}");
            }
        }, options);
        return string.Join(" ", log);
    }
}
