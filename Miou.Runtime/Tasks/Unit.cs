namespace Miou;

/// <summary>The result of a task that returns nothing (the value of a void fiber).</summary>
public readonly record struct Unit
{
    /// <summary>The only value.</summary>
    public static Unit Value => default;

    /// <inheritdoc/>
    public override string ToString() => "()";
}
