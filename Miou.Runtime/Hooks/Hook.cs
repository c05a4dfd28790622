using Miou.Scheduling;

namespace Miou;

/// <summary>
/// A callback run by a domain at the start of every scheduling step, outside any task (spec §6.7): it must be quick and
/// must not use Miou operations. The newest hook runs first; a hook that throws is removed and the error reported to
/// <see cref="RunOptions.OnUnobservedError"/>.
/// </summary>
public sealed class Hook
{
    private static int s_nextId;

    private Hook(Action action, DomainScheduler owner)
    {
        Action = action;
        Owner = owner;
        Domain = owner.Uid;
        Id = Interlocked.Increment(ref s_nextId);
    }

    /// <summary>The domain of the run that runs the hook (a nested run's dom0 is another domain with the same uid).</summary>
    internal DomainScheduler Owner { get; }

    internal Action Action { get; }

    internal int Id { get; }

    /// <summary>The uid of the domain the hook runs on.</summary>
    public int Domain { get; }

    /// <summary>Adds a hook on the calling fiber's domain (direct style).</summary>
    [DirectStyle(nameof(AddAsync))]
    public static Hook Add(Action action) => throw new NotInFiberException("Hook.Add");

    /// <summary>Adds a hook on the calling fiber's domain. One scheduling point; the hook is registered when the fiber resumes.</summary>
    public static async Fiber<Hook> AddAsync(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await OpAwaitable.Points(1);
        var domain = DomainScheduler.Current!;
        var hook = new Hook(action, domain);
        domain.AddHook(hook);
        return hook;
    }

    /// <summary>Removes the hook (direct style).</summary>
    [DirectStyle(nameof(RemoveAsync))]
    public void Remove() => throw new NotInFiberException("Hook.Remove");

    /// <summary>Removes the hook; removing it twice is harmless. One scheduling point.</summary>
    /// <exception cref="ArgumentException">Called from another domain than the hook's (the original's <c>Invalid_argument</c>).</exception>
    public async Fiber RemoveAsync()
    {
        await OpAwaitable.Points(1);
        var domain = DomainScheduler.Current!;
        if (!ReferenceEquals(domain, Owner))
        {
            var where = domain.Uid == Domain ? $"domain {Domain} of another run" : $"domain {Domain}, not {domain.Uid}";
            throw new ArgumentException($"The hook does not belong into the current domain: hook #{Id} runs on {where}.", "hook");
        }

        domain.RemoveHook(this);
    }
}
