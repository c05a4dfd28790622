namespace Miou;

/// <summary>
/// Something a task owns and must give back before it returns normally (spec §4): created with a finaliser by
/// <see cref="Ownership.Create{T}(T, Action{T})"/>. If its owner fails or is cancelled, the finaliser runs; if the owner
/// returns normally still owning it, the finaliser runs and the run stops with <see cref="ResourceLeakedException"/>.
/// </summary>
public abstract class Resource
{
    private static int s_nextId;

    private protected Resource() => Id = Interlocked.Increment(ref s_nextId);

    /// <summary>A process-wide unique id.</summary>
    public int Id { get; }

    internal abstract void RunFinaliser();

    /// <inheritdoc/>
    public override string ToString() => $"resource #{Id}";
}

/// <summary>A resource holding a value of type <typeparamref name="T"/>.</summary>
public sealed class Resource<T> : Resource
{
    private readonly Action<T> _finaliser;

    internal Resource(T value, Action<T> finaliser)
    {
        Value = value;
        _finaliser = finaliser;
    }

    /// <summary>The value.</summary>
    public T Value { get; }

    internal override void RunFinaliser() => _finaliser(Value);
}

/// <summary>A node of a task's list of owned resources (newest first).</summary>
internal sealed class ResourceLink
{
    internal ResourceLink(Resource resource, ResourceLink? next)
    {
        Resource = resource;
        Next = next;
    }

    internal Resource Resource { get; }

    internal ResourceLink? Next { get; set; }
}
