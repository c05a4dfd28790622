namespace Miou.Unix;

/// <summary>
/// What the direct-style twins of Miou.Unix's operations throw when they run outside generated code: the runtime's own
/// <see cref="NotInFiberException"/>, whose message explains <c>[Fiber]</c>.
/// </summary>
internal static class DirectStyleStub
{
    internal static Exception NotInFiber(string method) => new NotInFiberException(method);
}
