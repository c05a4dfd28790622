namespace Miou.DirectStyle.Tests;

/// <summary>Ownership of resources (spec §4): C35, C36, C37, written as [Fiber] methods.</summary>
public partial class OwnershipCases
{
    private const string Released = "Resource released";
    private readonly List<string> _log = [];
    private string _then = "";

    [Fiber]
    private void Child()
    {
        var r = Ownership.Create(0, _ => _log.Add(Released));
        Ownership.Own(r);
        switch (_then)
        {
            case "fail":
                throw new Failure("p");
            case "disown":
                Ownership.Disown(r);
                break;
        }
    }

    [Fiber]
    private void Main() => Fiber.Await(Fiber.Async(Child));

    private void Run(string then, ulong seed)
    {
        _log.Clear();
        _then = then;
        Fiber.Run(Main, Seeded(seed));
    }

    [Test]
    public void C35_finaliser_on_abnormal_termination() => ForSeeds(seed =>
    {
        var e = Assert.Throws<Failure>(() => Run("fail", seed));
        Assert.That(e!.Message, Is.EqualTo("p"));
        Assert.That(_log, Is.EqualTo(new[] { Released }));
    });

    [Test]
    public void C36_resource_leaked() => ForSeeds(seed =>
    {
        // The child (#2) returns still owning the resource: its finaliser runs, then the fatal error stops the run.
        var e = Assert.Throws<ResourceLeakedException>(() => Run("return", seed));
        Assert.That(_log, Is.EqualTo(new[] { Released }), "the finaliser ran before the fatal error");
        Assert.That(e!.Task, Does.StartWith("task #2"));
        Assert.That(e.Message, Does.Contain("task #2"));
        Assert.That(e.Resources, Has.Count.EqualTo(1));
    });

    [Test]
    public void C37_disown() => ForSeeds(seed =>
    {
        Run("disown", seed);
        Assert.That(_log, Is.Empty, "disown never calls the finaliser");
    });
}
