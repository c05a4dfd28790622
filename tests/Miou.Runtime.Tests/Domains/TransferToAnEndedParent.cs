using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Domains;

/// <summary>A resource transferred to a parent on another domain that ended before the transfer arrived is finalised, not attached to a task that will never finalise it.</summary>
public class TransferToAnEndedParent
{
    [Test]
    public void Transfer_to_a_parent_that_failed_meanwhile_on_another_domain_finalises_the_resource()
    {
        // The child on a worker gives its resource to the root on dom0; the root fails after the child posted the
        // transfer but before dom0 took it in. The root's resources were finalised when it failed: the resource arriving
        // afterwards must be finalised too, not attached to a dead task and forgotten.
        var finalised = 0;
        using var posted = new ManualResetEventSlim(false);
        var options = new RunOptions
        {
            Domains = 1,
            Seed = 1,
            // The child parks on the transfer's acknowledgement (on domain 1) right after posting the transfer.
            Trace = e =>
            {
                if (e is { Kind: TraceKind.Await, Domain: 1 })
                {
                    posted.Set();
                }
            },
        };

        Assert.Throws<InvalidTimeZoneException>(() => Fiber.Run(async () =>
        {
            _ = await Fiber.CallAsync(async () =>
            {
                var resource = Ownership.Create(0, _ => Interlocked.Increment(ref finalised));
                await Ownership.OwnAsync(resource);
                await Ownership.TransferAsync(resource);
            });
            posted.Wait(); // dom0 is held here: the transfer stays in its inbox until the root has failed
            throw new InvalidTimeZoneException("the root fails"); // and its child is cancelled
        }, options));

        Assert.That(Volatile.Read(ref finalised), Is.EqualTo(1));
    }
}
