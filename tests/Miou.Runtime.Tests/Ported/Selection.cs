using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Choosing among children (spec §1.8): D16.</summary>
public class Selection
{
    [Test]
    public void D16_await_first_can_return_either_child() =>
        // README "Randomised tasks": `await_first [async (const 1); async (const 2)]` returns Ok 1 or Ok 2, and both occur
        // (the original loops until it has seen each). The loser is cancelled, so the root may return.
        AssertEveryOutcome(seed => Fiber.Run(async () =>
        {
            var one = await Fiber.SpawnAsync(Bodies.Const(1));
            var two = await Fiber.SpawnAsync(Bodies.Const(2));
            return (await Fiber.AwaitFirstAsync(one, two)).Value;
        }, Seeded(seed)), [1, 2]);
}
