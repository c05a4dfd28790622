using System.Reflection;

namespace Miou.Unix;

/// <summary>
/// What the direct-style twins of Miou.Unix's operations throw when they run outside generated code: the runtime's
/// <see cref="NotInFiberException"/>, whose constructor is internal to Miou.Runtime for now. Built through reflection
/// until the runtime makes the constructor public (requested in the runtime requests file); the message is the runtime's own.
/// </summary>
internal static class DirectStyleStub
{
    private static readonly ConstructorInfo? s_constructor = typeof(NotInFiberException).GetConstructor(
        BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(string)]);

    internal static Exception NotInFiber(string method) =>
        s_constructor?.Invoke([method]) as Exception ?? new InvalidOperationException(
            $"{method} can only be called in a fiber (a [Fiber] method, or its awaitable counterpart in an 'async Fiber' method).");
}
