using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Rules;

/// <summary>The resources given to a child (the give argument of Spawn and Call) are checked at the call, before anything of the spawn is done.</summary>
public class GiveArgumentTests
{
    [Test]
    public void Spawn_and_Call_check_the_resources_given()
    {
        // A null in `give` was attached to the child as a resource: the child's end then failed with a
        // NullReferenceException inside the scheduler (a fatal error naming nothing). It is an argument error at the call.
        var errors = new List<string>();
        Fiber.Run(async () =>
        {
            Resource[] withNull = [null!];
            foreach (var spawn in new Func<Fiber>[]
            {
                async () => await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => { }, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => 1, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.CallAsync(async () => { }, give: withNull)),
                async () => await Fiber.AwaitAsync(await Fiber.CallAsync(async () => 1, give: withNull)),
            })
            {
                try
                {
                    await spawn();
                    errors.Add("none");
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{e.ParamName}");
                }
            }
        }, Runs.Fifo with { Domains = 1 });

        Assert.That(errors, Is.EqualTo(new[] { "give", "give", "give", "give" }));
    }
}
