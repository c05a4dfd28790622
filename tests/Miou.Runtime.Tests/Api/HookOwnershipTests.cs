namespace Miou.Tests.Api;

/// <summary>A hook belongs to one domain of one run: a nested run's dom0 is another domain, although its uid is also 0.</summary>
public class HookOwnershipTests
{
    [Test]
    public void Removing_an_outer_hook_from_a_nested_run_is_rejected_and_the_hook_keeps_running()
    {
        var outerRuns = 0;
        ArgumentException? error = null;
        var afterNested = 0;
        Fiber.Run(async () =>
        {
            var hook = await Hook.AddAsync(() => outerRuns++);
            Fiber.Run(async () =>
            {
                try
                {
                    await hook.RemoveAsync();
                }
                catch (ArgumentException e)
                {
                    error = e;
                }
            }, new RunOptions { Domains = 0 });
            afterNested = outerRuns;
            await Fiber.YieldAsync();
            await Fiber.YieldAsync();
            await hook.RemoveAsync();
        }, new RunOptions { Domains = 0 });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.StartWith("The hook does not belong into the current domain"));
        Assert.That(error.Message, Does.Contain("another run"));
        Assert.That(outerRuns, Is.GreaterThan(afterNested), "the outer hook still ran after the failed removal");
    }
}
