using Miou.Scheduling;

namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>Waits for the child <paramref name="promise"/> and returns its value, or rethrows its exception (direct style).</summary>
    [DirectStyle(nameof(AwaitAsync))]
    public static T Await<T>(Promise<T> promise) => throw new NotInFiberException("Fiber.Await");

    /// <summary>Waits for the child <paramref name="promise"/> and rethrows its exception, if any (direct style).</summary>
    [DirectStyle(nameof(AwaitAsync))]
    public static void Await(Promise promise) => throw new NotInFiberException("Fiber.Await");

    /// <summary>
    /// Waits for the child <paramref name="promise"/> and returns its value, or rethrows its exception. A promise may be
    /// awaited more than once; only its parent may await it (<see cref="NotAChildException"/>).
    /// </summary>
    public static AwaitAwaitable<T> AwaitAsync<T>(Promise<T> promise) => new(NotNull(promise));

    /// <summary>Waits for the child <paramref name="promise"/>, ignoring its value, and rethrows its exception, if any.</summary>
    public static AwaitAwaitable AwaitAsync(Promise promise) => new(NotNull(promise));

    /// <summary>Waits for the child <paramref name="promise"/> and returns its outcome as a value (direct style).</summary>
    [DirectStyle(nameof(AwaitResultAsync))]
    public static Result<T> AwaitResult<T>(Promise<T> promise) => throw new NotInFiberException("Fiber.AwaitResult");

    /// <summary>Waits for the child <paramref name="promise"/> and returns its outcome, its value ignored (direct style).</summary>
    [DirectStyle(nameof(AwaitResultAsync))]
    public static Result<Unit> AwaitResult(Promise promise) => throw new NotInFiberException("Fiber.AwaitResult");

    /// <summary>Waits for the child <paramref name="promise"/> and returns its outcome as a value; failures are not thrown.</summary>
    public static AwaitResultAwaitable<T> AwaitResultAsync<T>(Promise<T> promise) => new(NotNull(promise));

    /// <summary>Waits for the child <paramref name="promise"/> and returns its outcome, its value ignored.</summary>
    public static AwaitResultAwaitable AwaitResultAsync(Promise promise) => new(NotNull(promise));

    /// <summary>Waits for every child, in order, and returns their outcomes in the same order (direct style).</summary>
    [DirectStyle(nameof(AwaitAllAsync))]
    public static Result<T>[] AwaitAll<T>(params IReadOnlyList<Promise<T>> promises) => throw new NotInFiberException("Fiber.AwaitAll");

    /// <summary>Waits for every child, in order, and returns their outcomes (values ignored) in the same order (direct style).</summary>
    [DirectStyle(nameof(AwaitAllAsync))]
    public static Result<Unit>[] AwaitAll(params IReadOnlyList<Promise> promises) => throw new NotInFiberException("Fiber.AwaitAll");

    /// <summary>
    /// Awaits each child left to right and returns the outcomes in the same order; failures are values. A promise that is
    /// not the caller's child throws <see cref="NotAChildException"/> there, and the rest are not awaited.
    /// </summary>
    public static async Fiber<Result<T>[]> AwaitAllAsync<T>(params IReadOnlyList<Promise<T>> promises)
    {
        var children = CheckList(promises, nameof(promises), allowEmpty: true);
        var results = new Result<T>[children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            results[i] = await new AwaitResultAwaitable<T>((Promise<T>)children[i]);
        }

        return results;
    }

    /// <summary>Awaits each child left to right and returns the outcomes, values ignored; see <see cref="AwaitAllAsync{T}(IReadOnlyList{Promise{T}})"/>.</summary>
    public static async Fiber<Result<Unit>[]> AwaitAllAsync(params IReadOnlyList<Promise> promises)
    {
        var children = CheckList(promises, nameof(promises), allowEmpty: true);
        var results = new Result<Unit>[children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            results[i] = await new AwaitResultAwaitable(children[i]);
        }

        return results;
    }

    /// <summary>Waits until one child terminates and returns its outcome; the others keep running (direct style).</summary>
    [DirectStyle(nameof(AwaitOneAsync))]
    public static Result<T> AwaitOne<T>(params IReadOnlyList<Promise<T>> promises) => throw new NotInFiberException("Fiber.AwaitOne");

    /// <summary>
    /// Waits until at least one child has terminated and returns the outcome of one of them — one that returned a value if
    /// any did, chosen at random among those — and consumes it. The others stay children: await or cancel them later.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds null.</exception>
    public static async Fiber<Result<T>> AwaitOneAsync<T>(params IReadOnlyList<Promise<T>> promises)
    {
        var children = CheckList(promises, nameof(promises), allowEmpty: false);
        var winner = await new AwaitAnyAwaitable(children);
        return ((Promise<T>)children[winner]).Outcome();
    }

    /// <summary>Waits until one child terminates, cancels the others and returns its outcome (direct style).</summary>
    [DirectStyle(nameof(AwaitFirstAsync))]
    public static Result<T> AwaitFirst<T>(params IReadOnlyList<Promise<T>> promises) => throw new NotInFiberException("Fiber.AwaitFirst");

    /// <summary>
    /// Waits until at least one child has terminated, chooses one as <see cref="AwaitOneAsync{T}(IReadOnlyList{Promise{T}})"/>
    /// does, then cancels every other child still running, one after the other, each fully torn down before the next, and
    /// returns the chosen outcome. Every promise of the list is consumed.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds null.</exception>
    public static async Fiber<Result<T>> AwaitFirstAsync<T>(params IReadOnlyList<Promise<T>> promises)
    {
        var children = CheckList(promises, nameof(promises), allowEmpty: false);
        var winner = (Promise<T>)children[await new AwaitAnyAwaitable(children)];
        var me = DomainScheduler.CurrentTask!;
        foreach (var loser in children)
        {
            if (ReferenceEquals(loser, winner))
            {
                continue;
            }

            if (loser.IsTerminated)
            {
                me.Consume(loser); // already done: consumed, its result untouched (spec §1.8)
            }
            else
            {
                await new CancelAwaitable(loser);
            }
        }

        return winner.Outcome();
    }

    private static TPromise NotNull<TPromise>(TPromise promise) where TPromise : Promise
    {
        ArgumentNullException.ThrowIfNull(promise);
        return promise;
    }

    private static Promise[] CheckList<TPromise>(IReadOnlyList<TPromise> promises, string parameter, bool allowEmpty) where TPromise : Promise
    {
        ArgumentNullException.ThrowIfNull(promises, parameter);
        if (promises.Count == 0 && !allowEmpty)
        {
            throw new ArgumentException("The list of promises is empty: there is nothing to wait for.", parameter);
        }

        var children = new Promise[promises.Count];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = promises[i] ?? throw new ArgumentException($"The list of promises holds null at index {i}.", parameter);
        }

        return children;
    }
}
