using Miou.Scheduling;

namespace Miou;

public readonly partial record struct Domain
{
    /// <summary>The domain running the calling fiber (direct style).</summary>
    [DirectStyle(nameof(SelfAsync))]
    public static Domain Self() => throw new NotInFiberException("Domain.Self");

    /// <summary>The domain running the calling fiber. One scheduling point.</summary>
    public static async Fiber<Domain> SelfAsync()
    {
        await OpAwaitable.Points(1);
        return new Domain(DomainScheduler.Current!.Uid);
    }

    /// <summary>The worker domains of the run, dom0 excluded (direct style).</summary>
    [DirectStyle(nameof(AllAsync))]
    public static IReadOnlyList<Domain> All() => throw new NotInFiberException("Domain.All");

    /// <summary>The worker domains of the run, dom0 excluded. One scheduling point.</summary>
    public static async Fiber<IReadOnlyList<Domain>> AllAsync()
    {
        await OpAwaitable.Points(1);
        return [.. DomainScheduler.Current!.Run.Domains.Where(d => d.Uid != 0).Select(d => new Domain(d.Uid))];
    }

    /// <summary>The number of worker domains of the run (direct style).</summary>
    [DirectStyle(nameof(AvailableAsync))]
    public static int Available() => throw new NotInFiberException("Domain.Available");

    /// <summary>The number of worker domains of the run. One scheduling point.</summary>
    public static async Fiber<int> AvailableAsync()
    {
        await OpAwaitable.Points(1);
        return DomainScheduler.Current!.Run.Domains.Length - 1;
    }
}
