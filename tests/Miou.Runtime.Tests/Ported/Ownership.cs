using Miou.Tests.Support;
using static Miou.Tests.Support.Runs;

namespace Miou.Tests.Ported;

/// <summary>Ownership of resources (spec §4): C35, C36, C37 (D11 is the documentation's version of C35/C36).</summary>
public class Ownership
{
    private const string Released = "Resource released";

    /// <summary>Runs a root that awaits a child which creates a resource logging <see cref="Released"/>, owns it, then <paramref name="then"/>.</summary>
    private static void RunWithOwnedResource(List<string> log, Func<Resource, Fiber> then, ulong seed) => Fiber.Run(async () =>
    {
        var p = await Fiber.SpawnAsync(async () =>
        {
            var r = Miou.Ownership.Create(0, _ => log.Add(Released));
            await Miou.Ownership.OwnAsync(r);
            await then(r);
        });
        await Fiber.AwaitAsync(p);
    }, Seeded(seed));

    [Test]
    public void C35_finaliser_on_abnormal_termination() => ForSeeds(seed =>
    {
        var log = new List<string>();
        var e = Assert.Throws<Failure>(() => RunWithOwnedResource(log, _ => throw new Failure("p"), seed));
        Assert.That(e!.Message, Is.EqualTo("p"));
        Assert.That(log, Is.EqualTo(new[] { Released }));
    });

    [Test]
    public void C36_resource_leaked() => ForSeeds(seed =>
    {
        // The child (#2) returns still owning the resource: its finaliser runs, then the fatal error stops the run.
        var log = new List<string>();
        var e = Assert.Throws<ResourceLeakedException>(() => RunWithOwnedResource(log, async _ => { }, seed));
        Assert.That(log, Is.EqualTo(new[] { Released }), "the finaliser ran before the fatal error");
        Assert.That(e!.Task, Does.StartWith("task #2"));
        Assert.That(e.Message, Does.Contain("task #2"));
        Assert.That(e.Resources, Has.Count.EqualTo(1));
    });

    [Test]
    public void C37_disown() => ForSeeds(seed =>
    {
        var log = new List<string>();
        RunWithOwnedResource(log, r => Miou.Ownership.DisownAsync(r), seed);
        Assert.That(log, Is.Empty, "disown never calls the finaliser");
    });
}
