namespace Miou;

/// <summary>
/// Base of the exceptions Miou raises for its rules. When one escapes <see cref="Fiber.Run{T}(Func{Fiber{T}}, RunOptions?)"/>
/// its message ends with the run's seed, so the same interleaving can be replayed (<see cref="RunOptions.Seed"/> or
/// the environment variable <c>MIOU_SEED</c>).
/// </summary>
public abstract class MiouException : Exception
{
    private readonly string _message;

    /// <summary>Creates the exception.</summary>
    protected MiouException(string message, Exception? inner = null) : base(message, inner) => _message = message;

    /// <summary>The seed of the run this exception escaped from, once it has escaped <c>Fiber.Run</c>.</summary>
    public ulong? Seed { get; private set; }

    /// <inheritdoc/>
    public override string Message => Seed is { } seed ? $"{_message} [Miou seed {seed}: replay with RunOptions.Seed or MIOU_SEED={seed}]" : _message;

    internal void StampSeed(ulong seed) => Seed ??= seed;
}

/// <summary>
/// Fatal: a task returned normally while it still had children it neither awaited nor cancelled (Miou's rule 1).
/// It stops the whole run; <c>Fiber.Run</c> throws it.
/// </summary>
public sealed class StillHasChildrenException : MiouException
{
    internal StillHasChildrenException(string task, IReadOnlyList<int> children, string message) : base(message)
    {
        Task = task;
        Children = children;
    }

    /// <summary>The task that broke the rule (id and spawn site).</summary>
    public string Task { get; }

    /// <summary>Ids of the children still alive when it returned.</summary>
    public IReadOnlyList<int> Children { get; }
}

/// <summary>
/// Fatal: a task returned normally while it still owned resources (see <see cref="Ownership"/>). Their finalisers have
/// run before the exception stops the run.
/// </summary>
public sealed class ResourceLeakedException : MiouException
{
    internal ResourceLeakedException(string task, IReadOnlyList<int> resources, string message, Exception? finaliserError) : base(message, finaliserError)
    {
        Task = task;
        Resources = resources;
    }

    /// <summary>The task that leaked.</summary>
    public string Task { get; }

    /// <summary>Ids of the leaked resources.</summary>
    public IReadOnlyList<int> Resources { get; }
}

/// <summary>A task awaited or cancelled a promise that is not its own child (Miou's rule 2). An ordinary exception in the task.</summary>
public sealed class NotAChildException : MiouException
{
    internal NotAChildException(string task, int promise, string message) : base(message)
    {
        Task = task;
        PromiseId = promise;
    }

    /// <summary>The task that broke the rule.</summary>
    public string Task { get; }

    /// <summary>The id of the promise it tried to await or cancel.</summary>
    public int PromiseId { get; }
}

/// <summary>The task was cancelled: thrown inside a cancelled task at its suspension point, and by awaiting a cancelled promise.</summary>
public sealed class CancelledException : MiouException
{
    /// <summary>Creates the exception for a cancelled task.</summary>
    public CancelledException(string message) : base(message)
    {
    }

    internal CancelledException(int promise, string message) : base(message) => PromiseId = promise;

    /// <summary>The id of the cancelled promise, when known.</summary>
    public int? PromiseId { get; }
}

/// <summary><c>Fiber.Call</c> or <c>Fiber.Parallel</c> found no worker domain it may use.</summary>
public sealed class NoDomainAvailableException : MiouException
{
    internal NoDomainAvailableException(string message) : base(message)
    {
    }
}

/// <summary>A task checked, disowned, released or transferred a resource it does not own.</summary>
public sealed class NotOwnerException : MiouException
{
    internal NotOwnerException(string message) : base(message)
    {
    }
}

/// <summary>
/// A direct-style Miou method ran outside a fiber: outside a <c>[Fiber]</c> method's generated code, or outside
/// <c>Fiber.Run</c>.
/// </summary>
public sealed class NotInFiberException : MiouException
{
    /// <summary>
    /// Creates the exception for a direct-style <paramref name="method"/> (such as <c>"UnixIO.Sleep"</c>) executed outside
    /// generated code: libraries that add direct-style operations throw it from their direct-style methods.
    /// </summary>
    public NotInFiberException(string method) : base(
        $"{method} can only be called in a fiber. Mark the calling method [Fiber] (in a partial type, with the Miou.Generators " +
        "package referenced) so the generator turns it into a resumable state machine, and start it with Fiber.Run; or write the " +
        $"method by hand as 'async Fiber<T>' and await the awaitable counterpart of {method}.")
    {
        Method = method;
    }

    /// <summary>The method that was called.</summary>
    public string Method { get; }
}

/// <summary>
/// Fatal: a task suspended on a system event (<see cref="Fiber.Suspend(Syscall, Action?)"/>) in a run that has no event source,
/// so nothing could ever resume it.
/// </summary>
public sealed class NoEventSourceException : MiouException
{
    internal NoEventSourceException(string message) : base(message)
    {
    }
}

/// <summary>A cleanup callback given to <c>Fiber.Protect</c> threw; the original outcome is lost, so the failure is wrapped.</summary>
public sealed class CleanupFailedException : MiouException
{
    internal CleanupFailedException(string message, Exception inner) : base(message, inner)
    {
    }
}
