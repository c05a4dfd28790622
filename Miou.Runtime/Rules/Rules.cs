using System.Runtime.ExceptionServices;
using Miou.Building;
using Miou.Scheduling;

namespace Miou;

/// <summary>
/// Miou's rules, in one place (spec §2):
/// <list type="number">
/// <item>A task awaits or cancels every child it creates: returning normally with a child left is the fatal
/// <see cref="StillHasChildrenException"/>.</item>
/// <item>A task awaits or cancels only its own children: otherwise <see cref="NotAChildException"/> in that task.</item>
/// <item>A task that fails or is cancelled takes its children down with it, and may forget them; its siblings are
/// unaffected.</item>
/// <item>A task that returns normally must not own resources: the fatal <see cref="ResourceLeakedException"/>, after their
/// finalisers ran. A task that fails or is cancelled has its resources finalised.</item>
/// </list>
/// </summary>
internal static class Rules
{
    // ------------------------------------------------------------------ rule 2

    internal static NotAChildException? CheckIsChild(Promise task, Promise promise, string operation)
    {
        // By identity of the parent, not membership of the children list: a child may be awaited again (spec §1.7).
        if (ReferenceEquals(promise.Parent, task))
        {
            return null;
        }

        task.Domain.Trace(TraceKind.NotAChild, task, promise.Id);
        var owner = promise.Parent is null ? "it is the root task, which no task may await or cancel" : $"it belongs to {promise.Parent.Describe()}";
        return new NotAChildException(task.Describe(), promise.Id,
            $"Rule broken: {task.Describe()} tried to {operation} promise #{promise.Id}{Site(promise)}, which is not its child ({owner}). " +
            "A task may await or cancel only the children it spawned itself.");
    }

    // ------------------------------------------------------------------ spawning

    internal static void Spawn(Promise parent, Promise child, IEnumerable<Resource>? give)
    {
        if (give is not null)
        {
            foreach (var resource in give)
            {
                // moved, not copied: the parent no longer owns what it gives (spec §10 Q4)
                Ownership.Detach(parent, resource);
                Ownership.Attach(child, resource);
            }
        }

        parent.LinkChild(child);
        parent.Run.TaskCreated();
        if (parent.Run.Trace is not null)
        {
            parent.Domain.Trace(TraceKind.Spawn, child, parent.Id, child.SpawnSite);
        }
        // The parent runs on its own domain: a child spawned there is queued at once, with no thread-static check.
        System.Diagnostics.Debug.Assert(parent.Domain.IsCurrentThread, "a task spawns on its own domain");
        if (ReferenceEquals(child.Domain, parent.Domain))
        {
            child.Domain.Enqueue(child);
        }
        else
        {
            child.Domain.Start(child);
        }
    }

    // ------------------------------------------------------------------ termination (spec §2.2, §2.3)

    internal static void OnBodyCompleted(Promise task, FiberBox body)
    {
        if (body.IsErrored(out var error))
        {
            OnBodyFailed(task, error);
        }
        else
        {
            task.ReturnBoxed(body);
        }
    }

    /// <summary>Normal termination: rules 4 then 1 (both fatal), then the value is published.</summary>
    internal static void OnBodyReturned<T>(Promise<T> task, T value)
    {
        if (MayReturn(task))
        {
            if (task.TrySetReturned(value))
            {
                DomainScheduler.NotifyTerminated(task);
            }

            MaybeTornDown(task);
        }
    }

    /// <summary>Normal termination of a void task (a promise of exactly <see cref="Promise"/>): as above, with no value.</summary>
    internal static void OnBodyReturned(Promise task)
    {
        if (MayReturn(task))
        {
            if (task.TryMarkReturned())
            {
                DomainScheduler.NotifyTerminated(task);
            }

            MaybeTornDown(task);
        }
    }

    /// <summary>
    /// A void child's body returned without ever suspending (the common trivial child): what <see cref="OnBodyReturned(Promise)"/>
    /// does, in its order, with the checks that cannot fail for such a child (it has no child of its own, no resource, no
    /// pending operation, was not cancelled) tested once up front, the outcome and the tear-down published in one write,
    /// and the parent, on the same domain, told only when it is parked (the only case its notifications act on) or has
    /// consumed the child already. Anything else takes the general path.
    /// </summary>
    internal static void OnBodyReturnedAtOnce(Promise task)
    {
        // No rare fields: no child (HasChildren is false) and no resource, checked with one type check.
        if (task.Op != OpKind.None || task.HasRareFields || task.CancelRequested || task.IsTerminated
            || task.Parent is not { } parent || !ReferenceEquals(parent.Domain, task.Domain))
        {
            OnBodyReturned(task);
            return;
        }

        task.ExecState = Promise.Exec.Done;
        // Frame is null already: StartBody cleared it, and only a suspension (which sets Op) stores one.
        task.Run.TaskEnded();
        task.Domain.Trace(TraceKind.Done, task);
        task.MarkReturnedAndTornDown();
        if (parent.ExecState == Promise.Exec.Parked || task.Consumed)
        {
            DomainScheduler.NotifyEndedLocal(task);
        }
    }

    /// <summary>
    /// Rules 4 then 1 on a body that returned: false when it returned from inside an operation (it fails instead), throws
    /// when it leaks resources or children; true when its outcome may be published.
    /// </summary>
    private static bool MayReturn(Promise task)
    {
        if (task.Op != OpKind.None)
        {
            OnBodyFailed(task, ExceptionDispatchInfo.Capture(DiscardedFiber(task)));
            return false;
        }

        task.BodyDone = true;
        task.ExecState = Promise.Exec.Done;
        task.Frame = null; // the finished frame is garbage now
        task.Run.TaskEnded();
        if (task.Resources is not null)
        {
            throw Leaked(task);
        }

        // A cancelled task that returned anyway (it swallowed the cancellation) keeps its cancelled outcome; its children
        // were cancelled with it, so they do not count against it.
        if (!task.CancelRequested && task.HasChildren && task.UnconsumedChildren() is { Count: > 0 } left)
        {
            task.Domain.Trace(TraceKind.StillHasChildren, task);
            throw StillHasChildren(task, left);
        }

        task.Domain.Trace(TraceKind.Done, task);
        return true;
    }

    /// <summary>Abnormal termination: finalise resources, cancel children, publish the failure (rule 3).</summary>
    internal static void OnBodyFailed(Promise task, ExceptionDispatchInfo error)
    {
        task.BodyDone = true;
        task.ExecState = Promise.Exec.Done;
        task.Frame = null; // the finished frame is garbage now; the failure goes here (see Promise.Failure)
        task.Run.TaskEnded();
        Ownership.FinaliseAll(task);
        foreach (var child in task.Children)
        {
            child.Domain.DispatchCancel(child);
        }

        task.Domain.Trace(TraceKind.Done, task);
        if (task.TrySetFailed(error))
        {
            DomainScheduler.NotifyTerminated(task);
        }
        else if (error.SourceException is not CancelledException)
        {
            // Cancelled before: its outcome is the cancellation, so this exception (thrown by a cleanup instead of the
            // cancellation) would reach nobody.
            task.Run.OnUnobservedError($"{task.Describe()} was cancelled, then threw another exception", error.SourceException);
        }

        if (task.Op != OpKind.None)
        {
            // the body ended while a discarded fiber's frame was still registered: drop it
            task.Op = OpKind.None;
        }

        MaybeTornDown(task);
    }

    /// <summary>When the body is done and no child remains, the subtree is gone: tell the parent (a cancel may wait on it).</summary>
    internal static void MaybeTornDown(Promise task)
    {
        if (!task.BodyDone || task.HasChildren || task.TornDown)
        {
            return;
        }

        task.TornDown = true;
        if (task.Parent is not null)
        {
            DomainScheduler.NotifyTornDown(task);
        }
    }

    /// <summary>
    /// After a fatal error stopped the run (every domain has stopped), the tasks still alive are abandoned: run the
    /// finalisers of what they own, so that a fatal error leaks no resource. Errors go to the unobserved-error handler.
    /// </summary>
    internal static void FinaliseAbandoned(Promise root)
    {
        var pending = new Stack<Promise>();
        pending.Push(root);
        while (pending.TryPop(out var task))
        {
            if (task.Resources is not null)
            {
                Ownership.FinaliseAll(task);
            }

            foreach (var child in task.Children)
            {
                pending.Push(child);
            }
        }
    }

    internal static InvalidOperationException DiscardedFiber(Promise task) => new(
        $"In {task.Describe()}, an 'async Fiber' method suspended but its caller went on without awaiting the Fiber it returned " +
        "(it was discarded, or awaited later). Await every Fiber/Fiber<T> you call, right where you call it.");

    internal static ExceptionDispatchInfo Cancelled(Promise task)
    {
        var why = task.Parent is { IsTerminated: true, Failure: { } failure } && failure.SourceException is not CancelledException
            ? $"because its parent {task.Parent.Describe()} failed with {failure.SourceException.GetType().Name}"
            : task.Parent is { CancelRequested: true } ? $"because its parent {task.Parent.Describe()} was cancelled" : "by its parent";
        return ExceptionDispatchInfo.Capture(new CancelledException(task.Id, $"{Capitalise(task.Describe())} was cancelled {why}."));
    }

    private static StillHasChildrenException StillHasChildren(Promise task, List<Promise> left)
    {
        var children = left.Select(c => c.Id).ToList();
        var list = string.Join(", ", left.Select(c => $"#{c.Id}{Site(c)}"));
        return new StillHasChildrenException(task.Describe(), children,
            $"Rule broken: {task.Describe()} returned while {children.Count} of its children {(children.Count == 1 ? "was" : "were")} " +
            $"neither awaited nor cancelled: {list}. A task must await or cancel every child it creates before it returns.");
    }

    private static ResourceLeakedException Leaked(Promise task)
    {
        var ids = new List<int>();
        for (var link = task.Resources; link is not null; link = link.Next)
        {
            ids.Add(link.Resource.Id);
        }

        var error = Ownership.FinaliseAll(task, collect: true);
        task.Domain.Trace(TraceKind.ResourceLeaked, task);
        return new ResourceLeakedException(task.Describe(), ids,
            $"Rule broken: {task.Describe()} returned while it still owned {ids.Count} resource(s): {string.Join(", ", ids.Select(i => $"#{i}"))}. " +
            "Their finalisers have run. Release, disown or transfer every resource a task owns before it returns normally.", error);
    }

    private static string Site(Promise promise) => promise.SpawnSite is { } site ? $" (spawned at {site})" : "";

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
