using Miou.Tests.Domains;

namespace Miou.DirectStyle.Tests;

/// <summary>
/// The sleep of <see cref="SharedClock"/> (the virtual clock for runs with workers), reached from [Fiber] methods the way
/// users reach a library that only offers an <c>async Fiber</c> method: a <see cref="DirectStyleAttribute"/> naming it.
/// The clock counts its registered sleeps privately (its start waits for them), so its own sleep is the one to call.
/// </summary>
internal static class SharedSleep
{
    /// <summary><c>Miouc.sleep ticks</c> on <paramref name="clock"/>; in a [Fiber] method it becomes <see cref="NapAsync"/>.</summary>
    [DirectStyle(nameof(NapAsync))]
    public static void Nap(SharedClock clock, int ticks) => throw new NotInFiberException(nameof(Nap));

    /// <summary>The awaitable counterpart: the clock's own sleep.</summary>
    public static Fiber NapAsync(SharedClock clock, int ticks) => clock.SleepAsync(ticks);
}
