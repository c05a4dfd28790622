using System.Runtime.CompilerServices;

namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>Runs the fiber <paramref name="main"/> with one argument as the root task; see <see cref="Run{T}(Func{Fiber{T}}, RunOptions?)"/>.</summary>
    [OverloadResolutionPriority(1)]
    public static TResult Run<TArg, TResult>(Func<TArg, Fiber<TResult>> main, TArg arg, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return RunRoot<TResult>(() => main(arg), options);
    }

    /// <summary>Runs the void fiber <paramref name="main"/> with one argument as the root task.</summary>
    [OverloadResolutionPriority(1)]
    public static void Run<TArg>(Func<TArg, Fiber> main, TArg arg, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunRoot<Unit>(() => main(arg), options);
    }

    /// <summary>Runs the fiber <paramref name="main"/> with two arguments as the root task.</summary>
    [OverloadResolutionPriority(1)]
    public static TResult Run<TArg1, TArg2, TResult>(Func<TArg1, TArg2, Fiber<TResult>> main, TArg1 arg1, TArg2 arg2, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return RunRoot<TResult>(() => main(arg1, arg2), options);
    }

    /// <summary>Runs the void fiber <paramref name="main"/> with two arguments as the root task.</summary>
    [OverloadResolutionPriority(1)]
    public static void Run<TArg1, TArg2>(Func<TArg1, TArg2, Fiber> main, TArg1 arg1, TArg2 arg2, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunRoot<Unit>(() => main(arg1, arg2), options);
    }

    /// <summary>
    /// Runs a direct-style <c>[Fiber]</c> method with one argument as the root task (the generator routes the call to its
    /// state machine); a plain function runs as a root task that performs no Miou operation.
    /// </summary>
    public static TResult Run<TArg, TResult>(Func<TArg, TResult> main, TArg arg, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RejectAsyncResult(typeof(TResult), nameof(main));
        return RunRoot<TResult>(() => Fiber<TResult>.FromResult(main(arg)), options);
    }

    /// <summary>Runs a direct-style void <c>[Fiber]</c> method with one argument as the root task.</summary>
    public static void Run<TArg>(Action<TArg> main, TArg arg, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RejectAsyncVoid(main, nameof(main));
        RunRoot<Unit>(() =>
        {
            main(arg);
            return Fiber<Unit>.FromResult(default);
        }, options);
    }

    /// <summary>Runs a direct-style <c>[Fiber]</c> method with two arguments as the root task.</summary>
    public static TResult Run<TArg1, TArg2, TResult>(Func<TArg1, TArg2, TResult> main, TArg1 arg1, TArg2 arg2, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RejectAsyncResult(typeof(TResult), nameof(main));
        return RunRoot<TResult>(() => Fiber<TResult>.FromResult(main(arg1, arg2)), options);
    }

    /// <summary>Runs a direct-style void <c>[Fiber]</c> method with two arguments as the root task.</summary>
    public static void Run<TArg1, TArg2>(Action<TArg1, TArg2> main, TArg1 arg1, TArg2 arg2, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RejectAsyncVoid(main, nameof(main));
        RunRoot<Unit>(() =>
        {
            main(arg1, arg2);
            return Fiber<Unit>.FromResult(default);
        }, options);
    }
}
