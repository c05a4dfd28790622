using Miou.Tests.Support;

namespace Miou.Tests.Core;

/// <summary>
/// A task's children list is singly linked: a child that leaves it is marked and stays until the list empties or is swept
/// at a later spawn. What walks the list must see exactly the children still in it, newest first, as the doubly linked
/// list gave them: a failing parent cancels them in that order, and rule 1 lists them in that order. These pin both after
/// children left the list from its far end and from the middle, before and after a sweep, under FIFO and two seeds, with
/// the figures measured on ee88ec1, before the change.
/// </summary>
public class ChildListTests
{
    [TestCase(0UL, "c18 c44 c43 c42 c38 c34 c30 c26 c22 c14 c10 c6 InvalidOperationException")]
    [TestCase(1UL, "c18 c44 c43 c42 c38 c34 c30 c26 c22 c14 c10 c6 InvalidOperationException")]
    [TestCase(2UL, "c18 c44 c43 c42 c38 c34 c30 c26 c22 c14 c10 c6 InvalidOperationException")]
    public void A_failing_parent_cancels_the_children_still_in_its_list_newest_first(ulong seed, string expected) =>
        Assert.That(Scenario(seed, fail: true), Is.EqualTo(expected));

    [TestCase(0UL, "c18 rule 1: 44,43,42,38,34,30,26,22,14,10,6")]
    [TestCase(1UL, "c18 rule 1: 44,43,42,38,34,30,26,22,14,10,6")]
    [TestCase(2UL, "c18 rule 1: 44,43,42,38,34,30,26,22,14,10,6")]
    public void Rule_1_lists_the_children_still_in_the_list_newest_first(ulong seed, string expected) =>
        Assert.That(Scenario(seed, fail: false), Is.EqualTo(expected));

    private static string Scenario(ulong seed, bool fail)
    {
        var log = new List<string>();
        var options = (seed == 0 ? Runs.Fifo : Runs.Seeded(seed)) with
        {
            Trace = t =>
            {
                if (t.Kind == TraceKind.Cancelled)
                {
                    log.Add($"c{t.PromiseId}");
                }
            },
        };
        try
        {
            Fiber.Run(async () =>
            {
                var parent = await Fiber.SpawnAsync(async () =>
                {
                    var quick = new List<Promise>();
                    var forever = new List<Promise>();
                    for (var i = 0; i < 40; i++)
                    {
                        if (i % 4 == 3)
                        {
                            forever.Add(await Fiber.SpawnAsync(Bodies.Infinite));
                        }
                        else
                        {
                            quick.Add(await Fiber.SpawnAsync(static async () => { }));
                        }
                    }

                    foreach (var p in quick.Take(20))
                    {
                        await Fiber.AwaitAsync(p); // from the list's far end (the oldest first)
                    }

                    foreach (var p in quick.Skip(20).Reverse())
                    {
                        await Fiber.AwaitAsync(p); // from the middle, newest first
                    }

                    forever.Add(await Fiber.SpawnAsync(Bodies.Infinite)); // 30 left, 10 in: swept here
                    await Fiber.CancelAsync(forever[3]);
                    forever.Add(await Fiber.SpawnAsync(Bodies.Infinite));
                    if (fail)
                    {
                        throw new InvalidOperationException("fails");
                    }
                });
                var r = await Fiber.AwaitResultAsync(parent);
                log.Add(r.IsOk ? "ok" : r.Error!.GetType().Name);
            }, options);
        }
        catch (StillHasChildrenException e)
        {
            log.Add($"rule 1: {string.Join(",", e.Children)}");
        }

        return string.Join(" ", log);
    }

    /// <summary>
    /// The list is an array in the parent's rare fields (with its resources): it grows past several capacities, empties
    /// when the last child leaves, and is filled again from its start; a failing parent then cancels exactly the children
    /// of the second fill, newest first, and its resource is finalised (rule 3), on FIFO and two seeds.
    /// </summary>
    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(2UL)]
    public void The_list_grows_empties_and_fills_again(ulong seed)
    {
        var cancelled = new List<int>();
        var log = new List<string>();
        var second = new List<int>();
        var options = (seed == 0 ? Runs.Fifo : Runs.Seeded(seed)) with
        {
            Trace = t =>
            {
                if (t.Kind == TraceKind.Cancelled)
                {
                    cancelled.Add(t.PromiseId);
                }
            },
        };
        Fiber.Run(async () =>
        {
            var parent = await Fiber.SpawnAsync(async () =>
            {
                await Miou.Ownership.OwnAsync(Miou.Ownership.Create(0, _ => log.Add("finalised")));
                var first = new List<Promise>();
                for (var i = 0; i < 37; i++)
                {
                    first.Add(await Fiber.SpawnAsync(static async () => { }));
                }

                foreach (var p in first)
                {
                    await Fiber.AwaitAsync(p); // the last one empties the list
                }

                for (var i = 0; i < 6; i++)
                {
                    second.Add((await Fiber.SpawnAsync(Bodies.Infinite)).Id);
                }

                throw new InvalidOperationException("fails");
            });
            var r = await Fiber.AwaitResultAsync(parent);
            log.Add(r.IsOk ? "ok" : r.Error!.GetType().Name);
        }, options);

        Assert.That(cancelled, Is.EqualTo(Enumerable.Reverse(second)));
        Assert.That(log, Is.EqualTo(new[] { "finalised", "InvalidOperationException" }));
    }

    /// <summary>
    /// An emptied list keeps an array of up to <see cref="Promise.MaxKeptChildrenCapacity"/> entries for its next spawns
    /// (a batch of 1,000 reuses it), and gives a larger one back: a task that once had 5,000 children at a time does not
    /// hold their array for the rest of its life.
    /// </summary>
    [TestCase(1000, 1024, 1024)]
    [TestCase(1024, 1024, 1024)]
    [TestCase(5000, 8192, 0)]
    public void An_emptied_list_gives_back_an_array_larger_than_it_keeps(int children, int capacityFull, int capacityAfter)
    {
        var capacities = new List<int>();
        Fiber.Run(async () =>
        {
            var self = Miou.Scheduling.DomainScheduler.CurrentTask!;
            var batch = new Promise[children];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = await Fiber.SpawnAsync(static async () => { });
            }

            capacities.Add(self.ChildrenCapacity);
            foreach (var p in batch)
            {
                await Fiber.AwaitAsync(p); // the last one empties the list
            }

            capacities.Add(self.ChildrenCapacity);
        }, Runs.Fifo);

        Assert.That(capacities, Is.EqualTo(new[] { capacityFull, capacityAfter }));
    }

    /// <summary>
    /// A list that never empties (a long-lived child stays in it) trades a burst's array for a smaller one at the sweep
    /// after most of the burst left: 5,000 quick children and one that runs on; the spawn after the awaits sweeps; the
    /// long-lived child is still there (a failing parent would cancel it), cancelled at the end.
    /// </summary>
    [Test]
    public void A_sweep_after_a_burst_trades_its_array_for_a_smaller_one()
    {
        var capacities = new List<int>();
        var cancelled = new List<int>();
        var lastId = 0;
        Fiber.Run(async () =>
        {
            var self = Miou.Scheduling.DomainScheduler.CurrentTask!;
            var longLived = await Fiber.SpawnAsync(Bodies.Infinite);
            var batch = new Promise[5000];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = await Fiber.SpawnAsync(static async () => { });
            }

            capacities.Add(self.ChildrenCapacity);
            foreach (var p in batch)
            {
                await Fiber.AwaitAsync(p);
            }

            var last = await Fiber.SpawnAsync(static async () => { }); // sweeps: 5,000 left, 1 still in the list
            lastId = last.Id;
            capacities.Add(self.ChildrenCapacity);
            await Fiber.AwaitAsync(last);
            await Fiber.CancelAsync(longLived);
            capacities.Add(self.ChildrenCapacity);
        }, Runs.Fifo with { Trace = t => { if (t.Kind == TraceKind.Cancelled) { cancelled.Add(t.PromiseId); } } });

        Assert.That(capacities, Is.EqualTo(new[] { 8192, 1024, 1024 }));
        Assert.That(cancelled, Is.EqualTo(new[] { 2 }), "the long-lived child (#2) stayed in the list through the sweep and was cancelled");
        Assert.That(lastId, Is.EqualTo(5003));
    }
}
