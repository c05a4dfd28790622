using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Miou.Scheduling;

namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>
    /// Runs <paramref name="main"/> as the root task on the calling thread (dom0) and returns its value once every task of
    /// the run has finished. Throws the root's exception, or a fatal error (<see cref="StillHasChildrenException"/>,
    /// <see cref="ResourceLeakedException"/>, <see cref="NoEventSourceException"/>) that stopped the run. Miou's exceptions
    /// carry the run's seed in their message; any escaping exception has it in <c>Exception.Data["Miou.Seed"]</c>.
    /// </summary>
    [OverloadResolutionPriority(1)]
    public static T Run<T>(Func<Fiber<T>> main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return RunRoot<T>(main, options);
    }

    /// <summary>Runs the void fiber <paramref name="main"/> as the root task; see <see cref="Run{T}(Func{Fiber{T}}, RunOptions?)"/>.</summary>
    [OverloadResolutionPriority(1)]
    public static void Run(Func<Fiber> main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunRoot<Unit>(main, options);
    }

    /// <summary>
    /// Runs a direct-style <c>[Fiber]</c> method as the root task: with Miou's generator, a call naming a <c>[Fiber]</c>
    /// method is routed to its generated state machine. A plain function runs as a root task that performs no Miou
    /// operation (a direct-style operation in it throws <see cref="NotInFiberException"/>).
    /// </summary>
    public static T Run<T>(Func<T> main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RejectAsyncResult(typeof(T), nameof(main));
        return RunRoot<T>(() => Fiber<T>.FromResult(main()), options);
    }

    /// <summary>Runs a direct-style void <c>[Fiber]</c> method as the root task; see <see cref="Run{T}(Func{T}, RunOptions?)"/>.</summary>
    public static void Run(Action main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        if (main.Method.IsDefined(typeof(AsyncStateMachineAttribute), false))
        {
            throw new ArgumentException(
                "Fiber.Run was given an 'async void' delegate, which Miou cannot wait for. Write it as 'async Fiber' (or a [Fiber] method).",
                nameof(main));
        }

        RunRoot<Unit>(() =>
        {
            main();
            return Fiber<Unit>.FromResult(default);
        }, options);
    }

    private static void RejectAsyncResult(Type result, string parameter)
    {
        if (typeof(Task).IsAssignableFrom(result) || result == typeof(ValueTask) ||
            (result.IsGenericType && result.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            throw new ArgumentException(
                $"Fiber.Run was given a function returning {result.Name}: a Task-based async method cannot run as a fiber. " +
                "Write it as 'async Fiber<T>' (or a [Fiber] method).", parameter);
        }
    }

    private static T RunRoot<T>(Delegate main, RunOptions? options)
    {
        var run = new RunContext(options ?? new RunOptions());
        var dom0 = new DomainScheduler(run, 0);
        run.Domains = [dom0];
        var previous = dom0.Enter();
        Promise<T> root;
        try
        {
            dom0.Events = run.Events?.Invoke(Domain.Dom0);
            root = new Promise<T>(run, null, dom0, main, null, 0);
            run.TaskCreated();
            dom0.Enqueue(root);
            dom0.RunUntilQuiescent();
        }
        finally
        {
            DomainScheduler.Leave(previous);
            DisposeEvents(dom0, run);
        }

        if (run.Fatal is { } fatal)
        {
            Stamp(fatal.SourceException, run.Seed);
            fatal.Throw();
        }

        var outcome = root.Outcome();
        if (outcome.Error is { } error)
        {
            Stamp(error, run.Seed);
        }

        return outcome.ValueOrThrow();
    }

    private static void DisposeEvents(DomainScheduler domain, RunContext run)
    {
        try
        {
            domain.Events?.Dispose();
        }
        catch (Exception e) when (run.Fatal is not null)
        {
            // The run already failed with a fatal error, which is what Run throws; do not lose this one either.
            run.OnUnobservedError($"the event source of {new Domain(domain.Uid)} threw while being disposed", e);
        }
    }

    private static void Stamp(Exception error, ulong seed)
    {
        if (error is MiouException miou)
        {
            miou.StampSeed(seed);
        }

        if (!error.Data.IsReadOnly)
        {
            error.Data["Miou.Seed"] = seed;
        }
    }
}
