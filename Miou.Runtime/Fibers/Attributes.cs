namespace Miou;

/// <summary>
/// Marks a method written in direct style (no <c>async</c>/<c>await</c>): Miou's source generator turns it
/// into a resumable state machine, an <c>async Fiber&lt;T&gt;</c> twin that the runtime schedules.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FiberAttribute : Attribute
{
}

/// <summary>
/// Marks a runtime method that users call from <see cref="FiberAttribute">[Fiber]</see> methods, and names its
/// awaitable counterpart on the same type: the method generated code awaits instead. Executed outside generated
/// code, a direct-style method that suspends throws <see cref="NotInFiberException"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class DirectStyleAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="awaitable">The name of the awaitable counterpart, declared on the same type with the same parameters
    /// (fiber-body parameters take <see cref="Fiber"/>/<see cref="Fiber{T}"/>-returning delegates instead).</param>
    public DirectStyleAttribute(string awaitable) => Awaitable = awaitable;

    /// <summary>The name of the awaitable counterpart on the same type.</summary>
    public string Awaitable { get; }

    /// <summary>Whether the call is a scheduling point (it may suspend the calling fiber). Default: true.</summary>
    public bool Suspends { get; init; } = true;
}

/// <summary>
/// Marks a delegate parameter whose argument is the body of a new fiber (the child of <c>Fiber.Async</c>,
/// <c>Fiber.Call</c>, …). In a <see cref="FiberAttribute">[Fiber]</see> method the generator turns a lambda or method
/// group passed there into an <c>async</c> fiber body.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class FiberBodyAttribute : Attribute
{
}
