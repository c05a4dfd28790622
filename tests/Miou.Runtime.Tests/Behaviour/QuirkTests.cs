namespace Miou.Tests.Behaviour;

/// <summary>
/// The quirks of spec §10 that matter without worker domains: each test's name states whether the original's behaviour is
/// kept or changed. Q01 and Q17 are in <see cref="SyncEdgeCaseTests"/>.
/// </summary>
public class QuirkTests
{
    [Test]
    public void Q02_state_of_a_cancelled_finished_child_stays_Finished_kept()
    {
        PromiseState before = PromiseState.Running, after = PromiseState.Running;
        Exception? awaited = null;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => 5);
            while (p.State == PromiseState.Running)
            {
                await Fiber.YieldAsync();
            }

            before = p.State;
            await Fiber.CancelAsync(p);
            after = p.State;
            awaited = (await Fiber.AwaitResultAsync(p)).Error;
        });

        Assert.That(before, Is.EqualTo(PromiseState.Finished));
        Assert.That(after, Is.EqualTo(PromiseState.Finished), "the state is the task's own outcome");
        Assert.That(awaited, Is.TypeOf<CancelledException>(), "although awaiting it yields Cancelled");
    }

    [Test]
    public void Q03_orphans_are_LIFO_and_awaiting_a_member_leaves_it_in_the_collection_kept()
    {
        int[] ids = [];
        int took = 0, cared = 0, awaitedA = 0, gotValue = 0;
        int countAfterCare = -1, countAfterAwait = -1, countAfterGet = -1;
        var emptyGet = true;
        Fiber.Run(async () =>
        {
            var orphans = new Orphans<int>();
            var a = await Fiber.SpawnAsync(async () => 1, orphans);
            var b = await Fiber.SpawnAsync(async () => 2, orphans);
            var c = await Fiber.SpawnAsync(async () => 3, orphans);
            ids = [a.Id, b.Id, c.Id];
            while (a.State == PromiseState.Running || b.State == PromiseState.Running || c.State == PromiseState.Running)
            {
                await Fiber.YieldAsync();
            }

            var taken = (await orphans.TakeAsync())!; // the newest, whatever its state
            took = taken.Id;
            var caredFor = (await orphans.CareAsync())!; // the newest terminated one
            cared = caredFor.Id;
            countAfterCare = orphans.Count;
            awaitedA = await Fiber.AwaitAsync(a);
            countAfterAwait = orphans.Count; // awaiting a member does not remove it
            gotValue = (await orphans.GetAsync())!.Value.Value; // so Get returns it again
            countAfterGet = orphans.Count;
            emptyGet = await orphans.GetAsync() is null;
            await Fiber.AwaitAsync(taken); // Take and Care leave the promise to be awaited
            await Fiber.AwaitAsync(caredFor);
        }, new RunOptions { Domains = 0 });

        Assert.That(took, Is.EqualTo(ids[2]), "Take pops the newest");
        Assert.That(cared, Is.EqualTo(ids[1]), "Care scans newest first");
        Assert.That(countAfterCare, Is.EqualTo(1));
        Assert.That(awaitedA, Is.EqualTo(1));
        Assert.That(countAfterAwait, Is.EqualTo(1));
        Assert.That(gotValue, Is.EqualTo(1));
        Assert.That(countAfterGet, Is.Zero);
        Assert.That(emptyGet, Is.True);
    }

    [Test]
    public void Q04_give_moves_ownership_to_the_child_even_of_resources_the_parent_did_not_own_kept()
    {
        var finalised = new List<string>();
        NotOwnerException? parentCheck = null;
        var childOwnsBoth = false;
        Fiber.Run(async () =>
        {
            var owned = Ownership.Create("owned", finalised.Add);
            var stray = Ownership.Create("stray", finalised.Add); // owned by nobody
            await Ownership.OwnAsync(owned);
            var child = await Fiber.SpawnAsync(async () =>
            {
                await Ownership.CheckAsync(owned);
                await Ownership.CheckAsync(stray);
                childOwnsBoth = true;
                await Ownership.ReleaseAsync(owned);
                await Ownership.ReleaseAsync(stray);
            }, give: [owned, stray]);
            parentCheck = await TestKit.CatchAsync<NotOwnerException>(async () => await Ownership.CheckAsync(owned)); // moved, not copied
            await Fiber.AwaitAsync(child);
        });

        Assert.That(parentCheck, Is.Not.Null);
        Assert.That(childOwnsBoth, Is.True);
        Assert.That(finalised, Is.EquivalentTo(new[] { "owned", "stray" }));
    }

    [Test]
    public void Q08_a_failing_root_tears_its_children_down_before_Run_returns_changed()
    {
        // The original returns as soon as the root ends and abandons its children's cancellations (their finalisers may
        // never run); this runtime runs until every task has finished.
        var finallies = 0;
        var finalised = 0;
        var e = Assert.Throws<FormatException>(() => Fiber.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var started = new Trigger();
                await Fiber.SpawnAsync(async () =>
                {
                    await Ownership.OwnAsync(Ownership.Create(0, _ => finalised++));
                    started.Signal();
                    try
                    {
                        await TestKit.YieldForever();
                    }
                    finally
                    {
                        finallies++;
                    }
                });
                await started.AwaitAsync();
            }

            throw new FormatException("the root fails");
        }));

        Assert.That(e!.Message, Is.EqualTo("the root fails"));
        Assert.That(finallies, Is.EqualTo(3));
        Assert.That(finalised, Is.EqualTo(3));
    }

    [Test]
    public void Q09_cancelling_a_finished_child_rewrites_its_awaited_result_kept()
    {
        var results = new List<string>();
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => 5);
            results.Add((await Fiber.AwaitResultAsync(p)).ToString());
            await Fiber.CancelAsync(p);
            results.Add((await Fiber.AwaitResultAsync(p)).Error?.GetType().Name ?? "value");
        });

        Assert.That(results, Is.EqualTo(new[] { "Ok(5)", nameof(CancelledException) }));
    }

    [Test]
    public void Q11_spawning_into_orphans_owned_by_another_task_spawns_the_child_first_kept()
    {
        // The intruder catches the ArgumentException and returns normally: it now has a child it holds no promise of.
        int intruder = 0;
        ArgumentException? caught = null;
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            var orphans = new Orphans<Unit>();
            var mine = await Fiber.SpawnAsync(async () => { }, orphans);
            var p = await Fiber.SpawnAsync(async () =>
            {
                caught = await TestKit.CatchAsync<ArgumentException>(async () => await Fiber.SpawnAsync(async () => { }, orphans));
            });
            intruder = p.Id;
            await Fiber.AwaitAsync(mine);
            await Fiber.AwaitAsync(p);
        }, new RunOptions { Domains = 0 }))!;

        Assert.That(caught, Is.Not.Null);
        Assert.That(e.Message, Does.Contain($"task #{intruder}"));
        Assert.That(e.Children, Is.EqualTo(new[] { intruder + 1 }), "the stray child, the next promise created after the intruder");
    }

    [Test]
    public void Q11_an_intruder_that_lets_the_ArgumentException_fail_it_takes_the_stray_child_down_kept()
    {
        Exception? failure = null;
        var strayStarted = false;
        Fiber.Run(async () =>
        {
            var orphans = new Orphans<Unit>();
            var mine = await Fiber.SpawnAsync(async () => { }, orphans);
            var p = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.SpawnAsync(async () =>
                {
                    strayStarted = true;
                    await TestKit.YieldForever(); // Run could not return if the stray were not cancelled
                }, orphans);
            });
            failure = (await Fiber.AwaitResultAsync(p)).Error;
            await Fiber.AwaitAsync(mine);
        });

        Assert.That(failure, Is.TypeOf<ArgumentException>());
        Assert.That(strayStarted, Is.False, "cancelled with the intruder before its first slot");
    }

    [Test]
    public void Q22_a_cancelled_task_that_swallows_the_cancellation_and_returns_owning_a_resource_is_ResourceLeaked_kept()
    {
        var finalised = 0;
        int victim = 0;
        var caught = false;
        var e = Assert.Throws<ResourceLeakedException>(() => Fiber.Run(async () =>
        {
            var started = new Trigger();
            var p = await Fiber.SpawnAsync(async () =>
            {
                await Ownership.OwnAsync(Ownership.Create(0, _ => finalised++));
                started.Signal();
                try
                {
                    await TestKit.ParkForever();
                }
                catch (CancelledException)
                {
                    caught = true; // swallowed: the task returns normally, still owning its resource
                }
            });
            victim = p.Id;
            await started.AwaitAsync();
            await Fiber.CancelAsync(p);
        }))!;

        Assert.That(caught, Is.True);
        Assert.That(finalised, Is.EqualTo(1));
        Assert.That(e.Message, Does.Contain($"task #{victim}"));
    }
}
