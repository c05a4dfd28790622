using System.Runtime.CompilerServices;
using Miou.Scheduling;

namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>
    /// Spawns a child task that runs <paramref name="body"/> on the current domain, concurrently with its parent
    /// (direct style). The parent must await or cancel it before returning.
    /// </summary>
    /// <param name="body">The child's body.</param>
    /// <param name="orphans">A collection to register the child in, for background tasks.</param>
    /// <param name="give">Resources moved from the parent to the child.</param>
    /// <param name="file">Filled in by the compiler: where the child is spawned.</param>
    /// <param name="line">Filled in by the compiler.</param>
    [DirectStyle(nameof(SpawnAsync))]
    public static Promise<T> Async<T>([FiberBody] Func<T> body, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Async");

    /// <summary>Spawns a child task that returns nothing (direct style); see <see cref="Async{T}(Func{T}, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>.</summary>
    [DirectStyle(nameof(SpawnAsync))]
    public static Promise Async([FiberBody] Action body, Orphans<Unit>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Async");

    /// <summary>
    /// Spawns a child task running the fiber <paramref name="body"/> on the current domain. Two scheduling points; the
    /// child is queued before the parent continues.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="orphans"/> is owned by another task (the child is spawned all the
    /// same, as in the original, and must be dealt with).</exception>
    public static SpawnAwaitable<T> SpawnAsync<T>([FiberBody] Func<Fiber<T>> body, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(NewChild<T>(body, "Fiber.SpawnAsync", file, line), orphans, give);
    }

    /// <summary>Spawns a child task running the void fiber <paramref name="body"/>; see <see cref="SpawnAsync{T}(Func{Fiber{T}}, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>.</summary>
    public static SpawnAwaitable SpawnAsync([FiberBody] Func<Fiber> body, Orphans<Unit>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(new SpawnAwaitable<Unit>(NewChild<Unit>(body, "Fiber.SpawnAsync", file, line), orphans, give));
    }

    /// <summary>
    /// Spawns a child task on another domain (direct style). This run has no worker domain: it throws
    /// <see cref="NoDomainAvailableException"/>.
    /// </summary>
    [DirectStyle(nameof(CallAsync))]
    public static Promise<T> Call<T>([FiberBody] Func<T> body, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Call");

    /// <summary>
    /// Spawns a child task running <paramref name="body"/> on a worker domain, never dom0 nor the caller's own domain.
    /// Worker domains are not available in this version: after its first scheduling point (reading the domain list) it
    /// throws <see cref="NoDomainAvailableException"/>, exactly as a run with <c>Domains = 0</c> does (spec §1.5).
    /// </summary>
    public static async Fiber<Promise<T>> CallAsync<T>([FiberBody] Func<Fiber<T>> body, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        await PointAwaitable.Points(1);
        throw NoWorker("Fiber.Call", file, line);
    }

    /// <summary>Runs <paramref name="body"/> on each element in parallel on the worker domains (direct style).</summary>
    [DirectStyle(nameof(ParallelAsync))]
    public static Result<TResult>[] Parallel<T, TResult>([FiberBody] Func<T, TResult> body, IEnumerable<T> items) => throw new NotInFiberException("Fiber.Parallel");

    /// <summary>
    /// Fork-join over the worker domains: one result per element, in order. This run has no worker domain: it throws
    /// <see cref="NoDomainAvailableException"/> (even for no element, spec §1.6).
    /// </summary>
    public static async Fiber<Result<TResult>[]> ParallelAsync<T, TResult>([FiberBody] Func<T, Fiber<TResult>> body, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(items);
        await PointAwaitable.Points(1);
        throw NoWorker("Fiber.Parallel", null, 0);
    }

    private static NoDomainAvailableException NoWorker(string operation, string? file, int line)
    {
        var task = DomainScheduler.CurrentTask!;
        var site = string.IsNullOrEmpty(file) ? "" : $" at {Path.GetFileName(file)}:{line}";
        return new NoDomainAvailableException(
            $"{operation}{site} in {task.Describe()} needs a worker domain other than the caller's, but this run has none " +
            "(it runs every task on dom0). Use Fiber.Async to run the child on the current domain.");
    }

    private static Promise<T> NewChild<T>(Delegate body, string operation, string file, int line)
    {
        var parent = Suspension.CurrentTask(operation);
        return new Promise<T>(parent.Run, parent, parent.Domain, body, string.IsNullOrEmpty(file) ? null : file, line);
    }
}
