namespace Miou.DirectStyle.Tests;

/// <summary>The original's <c>Miouc.sleep</c>, written as users write an event-based wait: a [Fiber] method.</summary>
public static partial class VirtualSleep
{
    /// <summary>
    /// Not named <c>Sleep</c>: its twin would be <c>SleepAsync</c>, and the generator emits <c>clock.SleepAsync(…)</c> in
    /// reduced form, which binds to <see cref="VirtualClock.SleepAsync"/>, the hand-written sleep (generator bug G1,
    /// /tmp/miou-generator-bugs.md). Takes a syscall, registers a sleeper due at <c>tick + ticks</c> in this domain's <see cref="Miouc"/> heap
    /// <b>before</b> suspending (no <c>onSuspend</c>, as in the original), then suspends on it.
    /// </summary>
    [Fiber]
    public static void Nap(this VirtualClock clock, int ticks)
    {
        var syscall = Fiber.Syscall("sleep");
        Miouc.OfThisDomain(clock).Add(syscall, clock.Tick + ticks);
        Fiber.Suspend(syscall);
    }
}
