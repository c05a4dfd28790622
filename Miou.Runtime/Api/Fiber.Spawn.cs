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
    /// same, as in the original, and must be dealt with); or <paramref name="give"/> holds null (thrown at the call, nothing
    /// spawned).</exception>
    public static SpawnAwaitable<T> SpawnAsync<T>([FiberBody] Func<Fiber<T>> body, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(NewChild<T>(body, "Fiber.SpawnAsync", file, line), orphans, CheckGive(give));
    }

    /// <summary>Spawns a child task running the void fiber <paramref name="body"/>; see <see cref="SpawnAsync{T}(Func{Fiber{T}}, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>.</summary>
    public static SpawnAwaitable SpawnAsync([FiberBody] Func<Fiber> body, Orphans<Unit>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (orphans is null && give is null)
        {
            var parent = Suspension.CurrentTask("Fiber.SpawnAsync");
            return new(new Promise(parent.Run, parent, parent.Domain, body, SiteFile(file), line));
        }

        return new(new SpawnWith<Unit>(NewChild<Unit>(body, "Fiber.SpawnAsync", file, line), orphans, CheckGive(give)));
    }

    /// <summary>Spawns a child task on another domain (direct style); see <see cref="CallAsync{T}(Func{Fiber{T}}, Domain?, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>.</summary>
    [DirectStyle(nameof(CallAsync))]
    public static Promise<T> Call<T>([FiberBody] Func<T> body, Domain? pin = null, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Call");

    /// <summary>Spawns a child task that returns nothing on another domain (direct style).</summary>
    [DirectStyle(nameof(CallAsync))]
    public static Promise Call([FiberBody] Action body, Domain? pin = null, Orphans<Unit>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Call");

    /// <summary>
    /// Spawns a child task running <paramref name="body"/> on a worker domain: never dom0 and never the caller's own domain;
    /// <paramref name="pin"/> chooses it, otherwise it is picked at random (spec §1.5). Three or four scheduling points.
    /// </summary>
    /// <exception cref="NoDomainAvailableException">The run has no worker domain, or only the caller's.</exception>
    /// <exception cref="ArgumentException"><paramref name="pin"/> is not a worker of the run, or is the caller's domain; or
    /// <paramref name="give"/> holds null (thrown at the call).</exception>
    public static CallAwaitable<T> CallAsync<T>([FiberBody] Func<Fiber<T>> body, Domain? pin = null, Orphans<T>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(NewChild<T>(body, "Fiber.CallAsync", file, line), pin, orphans, CheckGive(give));
    }

    /// <summary>Spawns a child task running the void fiber <paramref name="body"/> on a worker domain; see <see cref="CallAsync{T}(Func{Fiber{T}}, Domain?, Orphans{T}?, IEnumerable{Resource}?, string, int)"/>.</summary>
    public static CallAwaitable CallAsync([FiberBody] Func<Fiber> body, Domain? pin = null, Orphans<Unit>? orphans = null, IEnumerable<Resource>? give = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(new CallAwaitable<Unit>(NewChild<Unit>(body, "Fiber.CallAsync", file, line), pin, orphans, CheckGive(give)));
    }

    /// <summary>Runs <paramref name="body"/> on each element in parallel on the worker domains (direct style).</summary>
    [DirectStyle(nameof(ParallelAsync))]
    public static Result<TResult>[] Parallel<T, TResult>([FiberBody] Func<T, TResult> body, IEnumerable<T> items,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => throw new NotInFiberException("Fiber.Parallel");

    /// <summary>
    /// Fork-join over the worker domains (spec §1.6): element <c>i</c> runs as a child on worker <c>i mod n</c> of the workers
    /// other than the caller's; all are awaited, and the outcomes come back in the order of <paramref name="items"/>, failures
    /// as values.
    /// </summary>
    /// <exception cref="NoDomainAvailableException">No worker other than the caller's domain (even for no element).</exception>
    public static async Fiber<Result<TResult>[]> ParallelAsync<T, TResult>([FiberBody] Func<T, Fiber<TResult>> body, IEnumerable<T> items,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(items);
        await OpAwaitable.Points(1); // the domain list
        var parent = DomainScheduler.CurrentTask!;
        var candidates = OtherWorkers(parent);
        if (candidates.Count == 0)
        {
            throw NoWorker("Fiber.Parallel", parent, file, line);
        }

        var children = new List<Promise<TResult>>();
        foreach (var item in items)
        {
            var domain = candidates[children.Count % candidates.Count];
            var child = new Promise<TResult>(parent.Run, parent, domain, () => body(item), SiteFile(file), line);
            await OpAwaitable.Points(1); // the spawn
            Rules.Spawn(parent, child, null);
            children.Add(child);
        }

        var results = new Result<TResult>[children.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = await new AwaitResultAwaitable<TResult>(children[i]);
        }

        return results;
    }

    /// <summary>The worker domain a <c>Call</c> runs its child on (spec §1.5).</summary>
    internal static DomainScheduler ChooseWorker(Promise parent, Domain? pin, string? file, int line)
    {
        var domains = parent.Run.Domains;
        if (domains.Length == 1)
        {
            throw NoWorker("Fiber.Call", parent, file, line);
        }

        if (pin is { } wanted)
        {
            if (wanted.Uid <= 0 || wanted.Uid >= domains.Length || wanted.Uid == parent.Domain.Uid)
            {
                throw new ArgumentException(
                    $"The given domain to pin your task does not exist or is the actual domain: {wanted} (the workers are 1..{domains.Length - 1}, " +
                    $"and {parent.Describe()} runs on {new Domain(parent.Domain.Uid)}).", nameof(pin));
            }

            return domains[wanted.Uid];
        }

        var candidates = OtherWorkers(parent);
        return candidates.Count == 0
            ? throw NoWorker("Fiber.Call", parent, file, line)
            : candidates[parent.Domain.Random.Next(candidates.Count)];
    }

    private static List<DomainScheduler> OtherWorkers(Promise parent)
    {
        var domains = parent.Run.Domains;
        var others = new List<DomainScheduler>(domains.Length);
        for (var uid = 1; uid < domains.Length; uid++)
        {
            if (uid != parent.Domain.Uid)
            {
                others.Add(domains[uid]);
            }
        }

        return others;
    }

    private static NoDomainAvailableException NoWorker(string operation, Promise task, string? file, int line)
    {
        var site = string.IsNullOrEmpty(file) ? "" : $" at {Path.GetFileName(file)}:{line}";
        var workers = task.Run.Domains.Length - 1;
        var why = workers == 0
            ? "this run has no worker domain (RunOptions.Domains = 0)"
            : $"the run's only worker domain is {new Domain(task.Domain.Uid)}, the caller's own";
        return new NoDomainAvailableException(
            $"{operation}{site} in {task.Describe()} needs a worker domain other than the caller's, but {why}. Use Fiber.Async to run the child on the current domain, or run with more domains.");
    }

    /// <summary>
    /// The resources given to a child, read once here, at the call: a null among them is an argument error of the call,
    /// not a failure inside the spawn (where the child is half linked), and a sequence that throws throws here too.
    /// </summary>
    private static Resource[]? CheckGive(IEnumerable<Resource>? give)
    {
        if (give is null)
        {
            return null;
        }

        var resources = give.ToArray();
        for (var i = 0; i < resources.Length; i++)
        {
            if (resources[i] is null)
            {
                throw new ArgumentException($"The resources given to the child hold null at index {i}.", nameof(give));
            }
        }

        return resources;
    }

    private static string? SiteFile(string file) => string.IsNullOrEmpty(file) ? null : file;

    private static Promise<T> NewChild<T>(Delegate body, string operation, string file, int line)
    {
        var parent = Suspension.CurrentTask(operation);
        return new Promise<T>(parent.Run, parent, parent.Domain, body, SiteFile(file), line);
    }
}
