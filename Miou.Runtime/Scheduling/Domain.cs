namespace Miou;

/// <summary>A domain: a thread that runs fibers. dom0 (uid 0) is the thread that called <c>Fiber.Run</c>.</summary>
public readonly partial record struct Domain(int Uid)
{
    /// <summary>dom0, the domain of the thread that called <c>Fiber.Run</c>.</summary>
    public static Domain Dom0 => new(0);

    /// <inheritdoc/>
    public override string ToString() => Uid == 0 ? "dom0" : $"domain {Uid}";
}
