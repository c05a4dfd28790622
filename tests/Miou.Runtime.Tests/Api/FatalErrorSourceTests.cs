using Miou.Tests.Behaviour;
using Miou.Tests.Support;

namespace Miou.Tests.Api;

/// <summary>Errors from outside any task that stop the run (the event-source factory, the trace consumer) escape Fiber.Run as fatal errors, with the seed.</summary>
public class FatalErrorSourceTests
{
    [Test]
    public void An_event_source_factory_that_throws_on_dom0_carries_the_seed()
    {
        // "Any escaping exception has it in Exception.Data["Miou.Seed"]" (Fiber.Run): the factory of dom0's event source
        // runs on the calling thread before the root; a worker's factory that throws was stamped, dom0's was not.
        var e = Assert.Throws<FormatException>(() => Fiber.Run(async () => await Fiber.YieldAsync(), new RunOptions
        {
            Domains = 0,
            Seed = 4242,
            Events = _ => throw new FormatException("no event source today"),
        }))!;

        Assert.That(e.Data["Miou.Seed"], Is.EqualTo(4242UL));
    }

    [Test]
    public void A_trace_consumer_that_throws_stops_the_run_with_its_exception()
    {
        // The consumer is called in the middle of the scheduler's bookkeeping. Its exception escaped into whatever code
        // emitted the event: here the spawn, after the child was linked to its parent and before it was queued, so the
        // parent got the exception, no promise, and then a StillHasChildrenException for a child it never saw.
        var thrown = false;
        var options = Runs.Fifo with
        {
            Trace = e =>
            {
                if (e.Kind == TraceKind.Spawn && !thrown)
                {
                    thrown = true;
                    throw new FormatException("the trace consumer failed");
                }
            },
        };

        var error = Assert.Catch(() => Fiber.Run(async () =>
        {
            try
            {
                await Fiber.AwaitAsync(await Fiber.SpawnAsync(async () => { }));
            }
            catch (FormatException)
            {
                return 0; // a task that handles what it may: the consumer's error is not its own
            }

            return 1;
        }, options));

        Assert.That(error, Is.InstanceOf<FormatException>());
        Assert.That(error!.Data["Miou.Seed"], Is.EqualTo(1UL));
    }
}
