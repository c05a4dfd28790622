namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>Cancels the child <paramref name="promise"/> and returns once it and its subtree are torn down (direct style).</summary>
    [DirectStyle(nameof(CancelAsync))]
    public static void Cancel(Promise promise) => throw new NotInFiberException("Fiber.Cancel");

    /// <summary>
    /// Cancels the child <paramref name="promise"/>: its task sees <see cref="CancelledException"/> at its suspension point,
    /// its children are cancelled too, and this returns only once the whole subtree is torn down and its <c>finally</c>
    /// blocks have run. Legal on a finished promise: later awaits of it then yield <see cref="CancelledException"/>.
    /// Cancelling twice is harmless; only the parent may cancel (<see cref="NotAChildException"/>).
    /// </summary>
    public static CancelAwaitable CancelAsync(Promise promise) => new(NotNull(promise));

    /// <summary>Lets every other runnable task of the domain run before the caller continues (direct style).</summary>
    [DirectStyle(nameof(YieldAsync))]
    public static void Yield() => throw new NotInFiberException("Fiber.Yield");

    /// <summary>Goes to the back of the domain's run queue: every task already runnable runs first (spec §1.10).</summary>
    public static OpAwaitable YieldAsync() => OpAwaitable.Yield;

    /// <summary>Runs <paramref name="body"/>, then the cleanups however it ends (direct style).</summary>
    [DirectStyle(nameof(ProtectAsync))]
    public static T Protect<T>([FiberBody] Func<T> body, Action? onCancellation = null, Action<bool>? @finally = null) =>
        throw new NotInFiberException("Fiber.Protect");

    /// <summary>Runs <paramref name="body"/>, then the cleanups however it ends (direct style).</summary>
    [DirectStyle(nameof(ProtectAsync))]
    public static void Protect([FiberBody] Action body, Action? onCancellation = null, Action<bool>? @finally = null) =>
        throw new NotInFiberException("Fiber.Protect");

    /// <summary>
    /// Runs <paramref name="body"/>; then <paramref name="finally"/> runs however it ends (its argument says whether the
    /// body was cancelled) and, on cancellation, <paramref name="onCancellation"/> after it. The cleanups run in a task that
    /// may be cancelled: they must not use Miou operations. A cleanup that throws is reported as
    /// <see cref="CleanupFailedException"/>.
    /// </summary>
    public static async Fiber<T> ProtectAsync<T>([FiberBody] Func<Fiber<T>> body, Action? onCancellation = null, Action<bool>? @finally = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        T value;
        try
        {
            value = await body();
        }
        catch (CancelledException)
        {
            Cleanup(@finally, cancelled: true);
            if (onCancellation is not null)
            {
                RunCleanup(onCancellation, "onCancellation");
            }

            throw;
        }
        catch
        {
            Cleanup(@finally, cancelled: false);
            throw;
        }

        Cleanup(@finally, cancelled: false);
        return value;
    }

    /// <summary>The void form of <see cref="ProtectAsync{T}(Func{Fiber{T}}, Action?, Action{bool}?)"/>.</summary>
    public static async Fiber ProtectAsync([FiberBody] Func<Fiber> body, Action? onCancellation = null, Action<bool>? @finally = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        await ProtectAsync(async () =>
        {
            await body();
            return default(Unit);
        }, onCancellation, @finally);
    }

    private static void Cleanup(Action<bool>? @finally, bool cancelled)
    {
        if (@finally is not null)
        {
            RunCleanup(() => @finally(cancelled), "finally");
        }
    }

    private static void RunCleanup(Action cleanup, string name)
    {
        try
        {
            cleanup();
        }
        catch (Exception e)
        {
            throw new CleanupFailedException($"The {name} cleanup given to Fiber.Protect threw {e.GetType().Name}: {e.Message}", e);
        }
    }
}
