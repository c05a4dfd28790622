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
        RejectAsyncVoid(main, nameof(main));
        RunRoot<Unit>(() =>
        {
            main();
            return Fiber<Unit>.FromResult(default);
        }, options);
    }

    private static void RejectAsyncVoid(Delegate main, string parameter)
    {
        if (main.Method.IsDefined(typeof(AsyncStateMachineAttribute), false))
        {
            throw new ArgumentException(
                "Fiber.Run was given an 'async void' delegate, which Miou cannot wait for. Write it as 'async Fiber' (or a [Fiber] method).",
                parameter);
        }
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
        var domains = new DomainScheduler[run.WorkerCount + 1];
        domains[0] = dom0;
        for (var uid = 1; uid < domains.Length; uid++)
        {
            domains[uid] = new DomainScheduler(run, uid);
        }

        run.Domains = domains;
        var previous = dom0.Enter();
        var workers = new List<Thread>(run.WorkerCount);
        Promise<T>? root = null;
        try
        {
            try
            {
                dom0.Events = run.Events?.Invoke(Domain.Dom0); // dom0 first, on the calling thread (spec §1.1)
            }
            catch (Exception e)
            {
                Stamp(e, run.Seed); // nothing has started yet: it escapes as it is, with the seed as every other error
                throw;
            }

            using (var registered = new CountdownEvent(run.WorkerCount))
            {
                for (var uid = 1; uid < domains.Length; uid++)
                {
                    var worker = domains[uid];
                    var thread = new Thread(() => worker.RunWorker(registered))
                    {
                        IsBackground = true,
                        Name = $"Miou domain {uid}",
                    };
                    workers.Add(thread);
                    thread.Start();
                }

                registered.Wait(); // every worker has its event source before the root starts
            }

            root = new Promise<T>(run, null, dom0, main, null, 0);
            run.TaskCreated();
            dom0.Enqueue(root);
            dom0.RunUntilQuiescent();
        }
        finally
        {
            // Shutdown: stop and join every worker (each disposes its own event source), then dom0's event source.
            run.Stop();
            foreach (var worker in workers)
            {
                worker.Join();
            }

            DomainScheduler.Leave(previous);
            if (run.Fatal is not null && root is not null)
            {
                Rules.FinaliseAbandoned(root); // the run stopped with tasks alive: nothing they own may leak
            }

            dom0.DisposeEvents();
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

    /// <summary>
    /// Starts a run on a thread of its own (its dom0) and returns a task for the root's value, without blocking the
    /// caller: the way into Miou from <c>async</c> code. The task faults with what <see cref="Run{T}(Func{Fiber{T}}, RunOptions?)"/> would throw.
    /// </summary>
    public static Task<T> RunAsTask<T>(Func<Fiber<T>> main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(Run(main, options));
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Miou dom0",
        };
        thread.Start();
        return completion.Task;
    }

    /// <summary>Starts a run of the void fiber <paramref name="main"/> on a thread of its own; see <see cref="RunAsTask{T}(Func{Fiber{T}}, RunOptions?)"/>.</summary>
    public static Task RunAsTask(Func<Fiber> main, RunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return RunAsTask<Unit>(async () =>
        {
            await main();
            return default;
        }, options);
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
