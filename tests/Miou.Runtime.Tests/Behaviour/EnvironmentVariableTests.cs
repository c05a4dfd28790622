namespace Miou.Tests.Behaviour;

/// <summary>MIOU_SEED and MIOU_QUANTA stand in for the options left null. These tests set process-wide environment
/// variables (and restore them), so they must not run alongside other tests.</summary>
[NonParallelizable]
public class EnvironmentVariableTests
{
    private static void With(string name, string? value, Action body)
    {
        var saved = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, saved);
        }
    }

    private static readonly RunOptions Unseeded = new() { Policy = SchedulingPolicy.Random };

    [Test]
    public void MIOU_SEED_is_the_seed_when_RunOptions_Seed_is_null()
    {
        var explicit4242 = SeedReplayTests.Interleaving(Unseeded with { Seed = 4242 }).Log;
        var explicit4243 = SeedReplayTests.Interleaving(Unseeded with { Seed = 4243 }).Log;
        Assume.That(explicit4243, Is.Not.EqualTo(explicit4242), "the two seeds must give different interleavings for this test to mean anything");

        With("MIOU_SEED", "4242", () =>
        {
            Assert.That(SeedReplayTests.Interleaving(Unseeded).Log, Is.EqualTo(explicit4242));
            Assert.That(SeedReplayTests.Interleaving(Unseeded with { Seed = 4243 }).Log, Is.EqualTo(explicit4243), "RunOptions.Seed wins over MIOU_SEED");

            var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () => { await Fiber.SpawnAsync(async () => { }); }, Unseeded))!;
            Assert.That(e.Seed, Is.EqualTo(4242UL));
            Assert.That(e.Message, Does.Contain("MIOU_SEED=4242"));
        });
    }

    [Test]
    public void An_unparsable_MIOU_SEED_is_ignored()
    {
        With("MIOU_SEED", "not a number", () =>
        {
            var e = Assert.Throws<FormatException>(() => Fiber.Run(async () => throw new FormatException(), Unseeded))!;
            Assert.That(e.Data["Miou.Seed"], Is.TypeOf<ulong>());
        });
    }

    [Test]
    public void MIOU_QUANTA_is_the_quanta_when_RunOptions_Quanta_is_null()
    {
        With("MIOU_QUANTA", "3", () =>
        {
            Assert.That(QuantaTests.TwoTasks(new RunOptions()), Is.EqualTo(QuantaTests.ThreePerSlot));
            Assert.That(QuantaTests.TwoTasks(new RunOptions { Quanta = 1 }), Is.EqualTo(QuantaTests.OnePerSlot), "RunOptions.Quanta wins");
        });
    }

    [Test]
    public void Quanta_is_1_by_default_and_when_MIOU_QUANTA_is_unparsable()
    {
        With("MIOU_QUANTA", null, () => Assert.That(QuantaTests.TwoTasks(new RunOptions()), Is.EqualTo(QuantaTests.OnePerSlot)));
        With("MIOU_QUANTA", "lots", () => Assert.That(QuantaTests.TwoTasks(new RunOptions()), Is.EqualTo(QuantaTests.OnePerSlot)));
    }

    [Test]
    public void MIOU_QUANTA_below_1_is_rejected()
    {
        With("MIOU_QUANTA", "0", () =>
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Fiber.Run(async () => { }))!;
            Assert.That(e.Message, Does.Contain("MIOU_QUANTA"));
        });
    }
}
