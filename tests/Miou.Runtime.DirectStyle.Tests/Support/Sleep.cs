namespace Miou.DirectStyle.Tests;

/// <summary>The original's <c>Miouc.sleep</c>, written as users write an event-based wait: a [Fiber] method.</summary>
public static partial class VirtualSleep
{
    /// <summary>
    /// Named <c>Nap</c> because the generator used to emit <c>clock.SleepAsync(…)</c> in reduced form for a <c>Sleep</c>,
    /// which bound to <see cref="VirtualClock.SleepAsync"/>, the hand-written sleep (generator bug G1, now fixed: see
    /// <see cref="Sleep"/>). Takes a syscall, registers a sleeper due at <c>tick + ticks</c> in this domain's <see cref="Miouc"/> heap
    /// <b>before</b> suspending (no <c>onSuspend</c>, as in the original), then suspends on it.
    /// </summary>
    [Fiber]
    public static void Nap(this VirtualClock clock, int ticks)
    {
        var syscall = Fiber.Syscall("sleep");
        Miouc.OfThisDomain(clock).Add(syscall, clock.Tick + ticks);
        Fiber.Suspend(syscall);
    }

    /// <summary>How many times <see cref="Sleep"/> ran (only <c>Events.G1_…</c> calls it).</summary>
    public static int Sleeps;

    /// <summary>
    /// <see cref="Nap"/> under the name that used to hit G1: its twin <c>SleepAsync</c> has the name of the hand-written
    /// <see cref="VirtualClock.SleepAsync"/>, so <c>clock.Sleep(t)</c> must be emitted in static form to reach this twin.
    /// </summary>
    [Fiber]
    public static void Sleep(this VirtualClock clock, int ticks)
    {
        System.Threading.Interlocked.Increment(ref Sleeps);
        clock.Nap(ticks);
    }
}
