namespace Miou.Tests.Api;

/// <summary>A fatal error stops the run at once; what the abandoned tasks still own is finalised all the same.</summary>
public class FatalStopTests
{
    [Test]
    public void Resources_owned_by_tasks_abandoned_by_a_fatal_error_are_finalised_once([Values(0, 2)] int domains)
    {
        var finalised = new List<string>();
        var error = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            var rootResource = Ownership.Create("root", name => { lock (finalised) { finalised.Add(name); } });
            await Ownership.OwnAsync(rootResource);
            var holder = await Fiber.SpawnAsync(async () =>
            {
                await Ownership.OwnAsync(Ownership.Create("child", name => { lock (finalised) { finalised.Add(name); } }));
                var forever = new Trigger();
                await forever.AwaitAsync(); // never signalled: abandoned when the run stops
            });
            await Fiber.YieldAsync();
            await Fiber.YieldAsync();
            var careless = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.SpawnAsync(async () => { }); // rule 1 broken: fatal
            });
            await Fiber.AwaitAsync(careless);
            await Fiber.CancelAsync(holder);
        }, new RunOptions { Domains = domains, Policy = SchedulingPolicy.Fifo, Seed = 1 }));

        Assert.That(error!.Message, Does.Contain("Rule broken"));
        Assert.That(finalised, Is.EquivalentTo(new[] { "root", "child" }));
    }
}
