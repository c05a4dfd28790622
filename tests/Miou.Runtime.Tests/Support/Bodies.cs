namespace Miou.Tests.Support;

/// <summary>Fiber bodies the original suite uses again and again.</summary>
public static class Bodies
{
    /// <summary>The original's <c>infinite ()</c>: <c>loop { yield () }</c>. Only cancellation ends it.</summary>
    public static async Fiber Infinite()
    {
        while (true)
        {
            await Fiber.YieldAsync();
        }
    }

    /// <summary>A body that does nothing (the original's <c>fun () -> ()</c>).</summary>
    public static async Fiber Nothing()
    {
    }

    /// <summary>A body that returns <paramref name="value"/> (the original's <c>const v</c>).</summary>
    public static Func<Fiber<T>> Const<T>(T value) => async () => value;
}

/// <summary>OCaml's <c>Failure s</c> (<c>failwith s</c>): the tests compare its message.</summary>
public sealed class Failure(string message) : Exception(message);

/// <summary>The suite's own constant exceptions (<c>Basic_failure</c>, <c>Timeout</c>, <c>Exit</c>).</summary>
public sealed class BasicFailure() : Exception("Basic_failure");

/// <inheritdoc cref="BasicFailure"/>
public sealed class TimeoutFailure() : Exception("Timeout");

/// <inheritdoc cref="BasicFailure"/>
public sealed class ExitException() : Exception("Exit");
