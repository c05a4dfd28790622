using Miou.Scheduling;

namespace Miou;

/// <summary>
/// Ownership of resources by tasks (spec §4). Each operation but <see cref="Create{T}(T, Action{T})"/> is one scheduling
/// point and acts on the calling task.
/// </summary>
public static class Ownership
{
    /// <summary>Creates a resource, owned by nobody yet. Not a scheduling point.</summary>
    public static Resource<T> Create<T>(T value, Action<T> finaliser)
    {
        ArgumentNullException.ThrowIfNull(finaliser);
        return new Resource<T>(value, finaliser);
    }

    /// <summary>The calling task takes ownership of <paramref name="resource"/> (direct style).</summary>
    [DirectStyle(nameof(OwnAsync))]
    public static void Own(Resource resource) => throw new NotInFiberException("Ownership.Own");

    /// <summary>The calling task takes ownership of <paramref name="resource"/>.</summary>
    /// <exception cref="ArgumentException">The task already owns it.</exception>
    public static async Fiber OwnAsync(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        await OpAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        if (Owns(me, resource))
        {
            throw new ArgumentException($"The current promise already holds the resource given: {me.Describe()} already owns {resource}.", nameof(resource));
        }

        Attach(me, resource);
    }

    /// <summary>Throws <see cref="NotOwnerException"/> unless the calling task owns <paramref name="resource"/> (direct style).</summary>
    [DirectStyle(nameof(CheckAsync))]
    public static void Check(Resource resource) => throw new NotInFiberException("Ownership.Check");

    /// <summary>Throws <see cref="NotOwnerException"/> unless the calling task owns <paramref name="resource"/>.</summary>
    public static async Fiber CheckAsync(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        await OpAwaitable.Points(1);
        RequireOwner(DomainScheduler.CurrentTask!, resource, "check");
    }

    /// <summary>The calling task gives up <paramref name="resource"/> without finalising it (direct style).</summary>
    [DirectStyle(nameof(DisownAsync))]
    public static void Disown(Resource resource) => throw new NotInFiberException("Ownership.Disown");

    /// <summary>The calling task gives up <paramref name="resource"/> without finalising it.</summary>
    public static async Fiber DisownAsync(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        await OpAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        RequireOwner(me, resource, "disown");
        Detach(me, resource);
    }

    /// <summary>Runs the finaliser of <paramref name="resource"/> in the calling task, then gives it up (direct style).</summary>
    [DirectStyle(nameof(ReleaseAsync))]
    public static void Release(Resource resource) => throw new NotInFiberException("Ownership.Release");

    /// <summary>Runs the finaliser of <paramref name="resource"/> in the calling task, then gives it up.</summary>
    public static async Fiber ReleaseAsync(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        await OpAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        RequireOwner(me, resource, "release");
        Detach(me, resource); // first: a finaliser that throws must not run again when the task then fails
        resource.RunFinaliser();
    }

    /// <summary>Moves <paramref name="resource"/> from the calling task to its parent (direct style).</summary>
    [DirectStyle(nameof(TransferAsync))]
    public static void Transfer(Resource resource) => throw new NotInFiberException("Ownership.Transfer");

    /// <summary>Moves <paramref name="resource"/> from the calling task to its parent.</summary>
    /// <exception cref="ArgumentException">The calling task is the root.</exception>
    public static async Fiber TransferAsync(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        await OpAwaitable.Points(1);
        var me = DomainScheduler.CurrentTask!;
        if (me.Parent is not { } parent)
        {
            throw new ArgumentException($"The current promise has no parent, so it is impossible to transfer a resource: {me.Describe()} tried to transfer {resource}.", nameof(resource));
        }

        RequireOwner(me, resource, "transfer");
        Detach(me, resource); // first: if this task is cancelled while waiting below, the parent finalises it, once
        if (parent.Domain == me.Domain)
        {
            Attach(parent, resource);
            return;
        }

        // The parent's resources belong to its domain: ask it to attach, and wait until it has (spec §4).
        var done = new Trigger();
        parent.Domain.PostTransfer(parent, resource, done);
        await done.AwaitAsync();
    }

    internal static bool Owns(Promise task, Resource resource)
    {
        for (var link = task.Resources; link is not null; link = link.Next)
        {
            if (ReferenceEquals(link.Resource, resource))
            {
                return true;
            }
        }

        return false;
    }

    internal static void Attach(Promise task, Resource resource)
    {
        task.Resources = new ResourceLink(resource, task.Resources);
        task.Domain.Trace(TraceKind.Own, task, resource.Id);
    }

    /// <summary>
    /// Attaches a resource a child transferred from another domain, on the parent's domain. The parent may have failed or
    /// been cancelled since the child posted it: its resources were finalised then, so this one is finalised now instead
    /// of being attached to a task that will never finalise it (an error goes to the unobserved-error handler).
    /// </summary>
    internal static void AttachTransferred(Promise task, Resource resource)
    {
        if (!task.BodyDone)
        {
            Attach(task, resource);
            return;
        }

        try
        {
            resource.RunFinaliser();
        }
        catch (Exception e)
        {
            task.Run.OnUnobservedError($"the finaliser of {resource} (transferred to {task.Describe()}, which had ended) threw", e);
        }
    }

    internal static void Detach(Promise task, Resource resource)
    {
        ResourceLink? previous = null;
        for (var link = task.Resources; link is not null; previous = link, link = link.Next)
        {
            if (ReferenceEquals(link.Resource, resource))
            {
                if (previous is null)
                {
                    task.Resources = link.Next;
                }
                else
                {
                    previous.Next = link.Next;
                }

                task.Domain.Trace(TraceKind.Disown, task, resource.Id);
                return;
            }
        }
    }

    /// <summary>
    /// Runs the finaliser of every resource the task still owns and drops them. Finalisers run outside any task's control
    /// flow; a finaliser that throws does not stop the others. With <paramref name="collect"/> the errors are returned (for
    /// the fatal leak report), otherwise reported to <see cref="RunOptions.OnUnobservedError"/>.
    /// </summary>
    internal static Exception? FinaliseAll(Promise task, bool collect = false)
    {
        List<Exception>? errors = null;
        var link = task.Resources;
        task.Resources = null;
        for (; link is not null; link = link.Next)
        {
            try
            {
                link.Resource.RunFinaliser();
            }
            catch (Exception e)
            {
                if (collect)
                {
                    (errors ??= []).Add(e);
                }
                else
                {
                    task.Run.OnUnobservedError($"the finaliser of {link.Resource} (owned by {task.Describe()}) threw", e);
                }
            }
        }

        return errors switch
        {
            null => null,
            [var one] => one,
            _ => new AggregateException("Several finalisers threw.", errors),
        };
    }

    private static void RequireOwner(Promise task, Resource resource, string operation)
    {
        if (!Owns(task, resource))
        {
            task.Domain.Trace(TraceKind.NotOwner, task, resource.Id);
            throw new NotOwnerException($"{Capitalise(task.Describe())} tried to {operation} {resource}, which it does not own.");
        }
    }

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
