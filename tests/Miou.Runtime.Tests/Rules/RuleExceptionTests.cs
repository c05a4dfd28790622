using System.Reflection;
using System.Runtime.CompilerServices;
using Miou.Tests.Behaviour;

namespace Miou.Tests.Rules;

/// <summary>Each of Miou's rule exceptions: its type, what its message names, and whether a task can catch it.</summary>
public class RuleExceptionTests
{
    // ------------------------------------------------------------------ StillHasChildrenException

    [Test]
    public void StillHasChildren_names_the_task_its_spawn_site_and_the_leftover_children()
    {
        string site = "";
        int taskId = 0, first = 0, second = 0;
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            site = TestKit.Here(); var task = await Fiber.SpawnAsync(async () =>
            {
                first = (await Fiber.SpawnAsync(TestKit.ParkForever)).Id;
                second = (await Fiber.SpawnAsync(async () => { })).Id;
            });
            taskId = task.Id;
            await Fiber.AwaitAsync(task);
        }))!;

        Assert.That(e.Message, Does.Contain($"task #{taskId} (spawned at {site})"));
        Assert.That(e.Message, Does.Contain($"#{first}").And.Contain($"#{second}"));
        Assert.That(e.Message, Does.Contain("neither awaited nor cancelled"));
        Assert.That(e.Task, Does.Contain($"#{taskId}").And.Contain(site));
        Assert.That(e.Children, Is.EquivalentTo(new[] { first, second }));
    }

    [Test]
    public void StillHasChildren_of_the_root_names_the_root()
    {
        int child = 0;
        var e = Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            child = (await Fiber.SpawnAsync(async () => 1)).Id;
        }))!;

        Assert.That(e.Message, Does.Contain("the root task #1"));
        Assert.That(e.Children, Is.EqualTo(new[] { child }));
    }

    [Test]
    public void StillHasChildren_is_fatal_the_parent_cannot_catch_it()
    {
        var caught = false;
        Assert.Throws<StillHasChildrenException>(() => Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => { await Fiber.SpawnAsync(async () => { }); });
            try
            {
                await Fiber.AwaitAsync(p);
            }
            catch (StillHasChildrenException)
            {
                caught = true;
            }
        }));
        Assert.That(caught, Is.False);
    }

    // ------------------------------------------------------------------ ResourceLeakedException

    [Test]
    public void ResourceLeaked_runs_the_finalisers_first_and_names_the_task_and_resources()
    {
        var finalised = new List<string>();
        string site = "";
        int taskId = 0;
        Resource? a = null, b = null;
        var e = Assert.Throws<ResourceLeakedException>(() => Fiber.Run(async () =>
        {
            site = TestKit.Here(); var task = await Fiber.SpawnAsync(async () =>
            {
                a = Ownership.Create("a", v => finalised.Add(v));
                b = Ownership.Create("b", v => finalised.Add(v));
                await Ownership.OwnAsync(a);
                await Ownership.OwnAsync(b);
            });
            taskId = task.Id;
            await Fiber.AwaitAsync(task);
        }))!;

        Assert.That(finalised, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(e.Message, Does.Contain($"task #{taskId} (spawned at {site})"));
        Assert.That(e.Message, Does.Contain($"#{a!.Id}").And.Contain($"#{b!.Id}"));
        Assert.That(e.Message, Does.Contain("Their finalisers have run"));
        Assert.That(e.Resources, Is.EquivalentTo(new[] { a.Id, b.Id }));
        Assert.That(e.Task, Does.Contain($"#{taskId}"));
    }

    [Test]
    public void ResourceLeaked_carries_a_throwing_finaliser_as_inner_exception_and_still_runs_the_others()
    {
        var ran = new List<int>();
        var e = Assert.Throws<ResourceLeakedException>(() => Fiber.Run(async () =>
        {
            await Ownership.OwnAsync(Ownership.Create(1, v => { ran.Add(v); throw new FormatException("finaliser 1"); }));
            await Ownership.OwnAsync(Ownership.Create(2, ran.Add));
        }))!;

        Assert.That(ran, Is.EquivalentTo(new[] { 1, 2 }));
        Assert.That(e.InnerException, Is.TypeOf<FormatException>().With.Message.EqualTo("finaliser 1"));
        Assert.That(e.Message, Does.Contain("the root task #1"));
    }

    // ------------------------------------------------------------------ NotAChildException

    [Test]
    public void NotAChild_on_await_names_the_offender_the_promise_and_its_owner_and_is_catchable()
    {
        string offenderSite = "", victimSite = "";
        int offender = 0, victim = 0;
        NotAChildException? seen = null;
        Fiber.Run(async () =>
        {
            victimSite = TestKit.Here(); var a = await Fiber.SpawnAsync(async () => 7);
            victim = a.Id;
            offenderSite = TestKit.Here(); var b = await Fiber.SpawnAsync(async () =>
            {
                seen = await TestKit.CatchAsync<NotAChildException>(async () => await Fiber.AwaitAsync(a)); // ordinary: the task goes on
                return 1;
            });
            offender = b.Id;
            Assert.That(await Fiber.AwaitAsync(b), Is.EqualTo(1));
            Assert.That(await Fiber.AwaitAsync(a), Is.EqualTo(7));
        });

        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.Message, Does.Contain($"task #{offender} (spawned at {offenderSite})"));
        Assert.That(seen.Message, Does.Contain($"promise #{victim} (spawned at {victimSite})"));
        Assert.That(seen.Message, Does.Contain("it belongs to the root task #1"));
        Assert.That(seen.Message, Does.Contain("tried to await"));
        Assert.That(seen.PromiseId, Is.EqualTo(victim));
        Assert.That(seen.Task, Does.Contain($"#{offender}"));
    }

    [Test]
    public void NotAChild_on_cancel_of_a_grandchild_names_its_real_owner()
    {
        int middle = 0, grandchild = 0;
        string middleSite = "";
        var e = Assert.Throws<NotAChildException>(() => Fiber.Run(async () =>
        {
            var handOff = new Computation<Promise>();
            middleSite = TestKit.Here(); var m = await Fiber.SpawnAsync(async () =>
            {
                var g = await Fiber.SpawnAsync(TestKit.ParkForever);
                handOff.TryReturn(g);
                await TestKit.ParkForever();
            });
            middle = m.Id;
            var stolen = await handOff.AwaitValueAsync();
            grandchild = stolen.Id;
            try
            {
                await Fiber.CancelAsync(stolen);
            }
            finally
            {
                await Fiber.CancelAsync(m);
            }
        }))!;

        Assert.That(e.Message, Does.Contain("tried to cancel"));
        Assert.That(e.Message, Does.Contain($"promise #{grandchild}"));
        Assert.That(e.Message, Does.Contain($"it belongs to task #{middle} (spawned at {middleSite})"));
        Assert.That(e.Message, Does.Contain("the root task #1"));
        Assert.That(e.PromiseId, Is.EqualTo(grandchild));
    }

    [Test]
    public void NotAChild_in_await_first_and_await_one_is_checked_before_waiting()
    {
        var outcomes = new List<string>();
        Fiber.Run(async () =>
        {
            var a = await Fiber.SpawnAsync(async () => 1);
            var b = await Fiber.SpawnAsync(async () =>
            {
                var own = await Fiber.SpawnAsync(TestKit.ParkForever);
                foreach (var op in new Func<Fiber>[] { async () => await Fiber.AwaitFirstAsync(a), async () => await Fiber.AwaitOneAsync(a) })
                {
                    var e = await TestKit.CatchAsync<NotAChildException>(op);
                    outcomes.Add(e is null ? "returned" : $"NotAChild #{e.PromiseId}");
                }

                await Fiber.CancelAsync(own);
            });
            await Fiber.AwaitAsync(b);
            await Fiber.AwaitAsync(a);
            outcomes.Add($"a is #{a.Id}");
        });

        Assert.That(outcomes, Is.EqualTo(new[] { "NotAChild #2", "NotAChild #2", "a is #2" }));
    }

    // ------------------------------------------------------------------ CancelledException

    [Test]
    public void Cancelled_inside_the_task_and_from_its_await_names_the_task_and_its_spawn_site()
    {
        CancelledException? inside = null;
        string site = "";
        int id = 0;
        Exception? awaited = null;
        Fiber.Run(async () =>
        {
            var started = new Trigger();
            site = TestKit.Here(); var p = await Fiber.SpawnAsync(() => TestKit.ParkUntilCancelled(started, e => inside = e));
            id = p.Id;
            await started.AwaitAsync();
            await Fiber.CancelAsync(p);
            awaited = (await Fiber.AwaitResultAsync(p)).Error;
        });

        Assert.That(inside, Is.Not.Null);
        Assert.That(inside!.Message, Does.Contain($"ask #{id} (spawned at {site}) was cancelled by its parent"));
        Assert.That(inside.PromiseId, Is.EqualTo(id));
        Assert.That(awaited, Is.TypeOf<CancelledException>());
        Assert.That(awaited!.Message, Does.Contain($"task #{id} (spawned at {site})"));
        Assert.That(((CancelledException)awaited).PromiseId, Is.EqualTo(id));
    }

    [Test]
    public void Cancelled_because_the_parent_failed_says_which_parent_and_why()
    {
        CancelledException? inside = null;
        int parent = 0, child = 0;
        string parentSite = "";
        Fiber.Run(async () =>
        {
            parentSite = TestKit.Here(); var p = await Fiber.SpawnAsync(async () =>
            {
                var started = new Trigger();
                var c = await Fiber.SpawnAsync(() => TestKit.ParkUntilCancelled(started, e => inside = e));
                child = c.Id;
                await started.AwaitAsync();
                throw new InvalidOperationException("parent fails");
            });
            parent = p.Id;
            var r = await Fiber.AwaitResultAsync(p);
            Assert.That(r.Error, Is.TypeOf<InvalidOperationException>());
        });

        Assert.That(inside, Is.Not.Null);
        Assert.That(inside!.PromiseId, Is.EqualTo(child));
        Assert.That(inside.Message, Does.Contain($"ask #{child}"));
        Assert.That(inside.Message, Does.Contain($"because its parent task #{parent} (spawned at {parentSite}) failed with InvalidOperationException"));
    }

    // ------------------------------------------------------------------ NotOwnerException

    [TestCase("check")]
    [TestCase("disown")]
    [TestCase("release")]
    [TestCase("transfer")]
    public void NotOwner_names_the_task_the_operation_and_the_resource(string operation)
    {
        var finalised = 0;
        var resource = Ownership.Create(0, _ => finalised++);
        string site = "";
        int id = 0;
        NotOwnerException? seen = null;
        Fiber.Run(async () =>
        {
            site = TestKit.Here(); var p = await Fiber.SpawnAsync(async () =>
            {
                seen = await TestKit.CatchAsync<NotOwnerException>(async () => // an ordinary exception (spec §10 Q12)
                {
                    switch (operation)
                    {
                        case "check": await Ownership.CheckAsync(resource); break;
                        case "disown": await Ownership.DisownAsync(resource); break;
                        case "release": await Ownership.ReleaseAsync(resource); break;
                        default: await Ownership.TransferAsync(resource); break;
                    }
                });
            });
            id = p.Id;
            await Fiber.AwaitAsync(p);
        });

        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.Message, Does.Contain($"ask #{id} (spawned at {site}) tried to {operation} resource #{resource.Id}, which it does not own"));
        Assert.That(finalised, Is.Zero);
    }

    // ------------------------------------------------------------------ NoDomainAvailableException

    [Test]
    public void NoDomainAvailable_from_Call_names_the_call_site_and_the_task()
    {
        string callSite = "", taskSite = "";
        int id = 0;
        NoDomainAvailableException? seen = null;
        var bodyRan = false;
        Fiber.Run(async () =>
        {
            taskSite = TestKit.Here(); var p = await Fiber.SpawnAsync(async () =>
            {
                seen = await TestKit.CatchAsync<NoDomainAvailableException>(async () =>
                {
                    callSite = TestKit.Here(); await Fiber.CallAsync(async () => { bodyRan = true; return 1; });
                });
            });
            id = p.Id;
            await Fiber.AwaitAsync(p);
        }, new RunOptions { Domains = 0 });

        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.Message, Does.Contain($"Fiber.Call at {callSite} in task #{id} (spawned at {taskSite})"));
        Assert.That(bodyRan, Is.False);
    }

    [Test]
    public void NoDomainAvailable_from_Parallel_even_with_no_element()
    {
        var e = Assert.Throws<NoDomainAvailableException>(() => Fiber.Run(async () =>
        {
            await Fiber.ParallelAsync<int, int>(async x => x, []);
        }, new RunOptions { Domains = 0 }))!;
        Assert.That(e.Message, Does.Contain("Fiber.Parallel").And.Contain("the root task #1"));
    }

    // ------------------------------------------------------------------ NotInFiberException

    private static IEnumerable<TestCaseData> DirectStyleMethods()
    {
        var types = typeof(Fiber).Assembly.GetExportedTypes();
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<DirectStyleAttribute>() is { Suspends: true })
                {
                    var signature = string.Join(",", method.GetParameters().Select(p => p.ParameterType.Name));
                    yield return new TestCaseData(method).SetArgDisplayNames($"{type.Name}.{method.Name}({signature})");
                }
            }
        }
    }

    [Test]
    public void Every_suspending_direct_style_method_is_covered_by_the_NotInFiber_cases() =>
        Assert.That(DirectStyleMethods().Count(), Is.GreaterThanOrEqualTo(30));

    [TestCaseSource(nameof(DirectStyleMethods))]
    public void NotInFiber_is_thrown_by_a_direct_style_method_called_outside_generated_code(MethodInfo method)
    {
        var closed = Close(method);
        var declaring = closed.DeclaringType!;
        var target = closed.IsStatic ? null : RuntimeHelpers.GetUninitializedObject(declaring);
        var args = closed.GetParameters()
            .Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)
            .ToArray();

        var e = Assert.Throws<TargetInvocationException>(() => closed.Invoke(target, args))!;

        Assert.That(e.InnerException, Is.TypeOf<NotInFiberException>());
        var notInFiber = (NotInFiberException)e.InnerException!;
        var typeName = declaring.Name.Split('`')[0];
        Assert.That(notInFiber.Method, Is.EqualTo($"{typeName}.{method.Name}"));
        Assert.That(notInFiber.Message, Does.StartWith($"{typeName}.{method.Name} can only be called in a fiber"));
        Assert.That(notInFiber.Message, Does.Contain("[Fiber]").And.Contain("Fiber.Run").And.Contain("async Fiber<T>"));
    }

    private static MethodInfo Close(MethodInfo method)
    {
        var declaring = method.DeclaringType!;
        if (declaring.IsGenericTypeDefinition)
        {
            var closedType = declaring.MakeGenericType(declaring.GetGenericArguments().Select(_ => typeof(int)).ToArray());
            method = (MethodInfo)MethodBase.GetMethodFromHandle(method.MethodHandle, closedType.TypeHandle)!;
        }

        return method.IsGenericMethodDefinition
            ? method.MakeGenericMethod(method.GetGenericArguments().Select(_ => typeof(int)).ToArray())
            : method;
    }

    [Test]
    public void NotInFiber_inside_a_hand_written_fiber_escapes_Run_with_the_seed()
    {
        var e = Assert.Throws<NotInFiberException>(() => Fiber.Run(async () =>
        {
            await Fiber.YieldAsync();
            Fiber.Yield(); // direct style in a hand-written fiber: not rewritten, so it throws
        }, new RunOptions { Seed = 99 }))!;

        Assert.That(e.Method, Is.EqualTo("Fiber.Yield"));
        Assert.That(e.Message, Does.Contain("[Fiber]").And.Contain("Miou seed 99"));
    }

    [Test]
    public void NotInFiber_from_a_plain_root_function()
    {
        var e = Assert.Throws<NotInFiberException>(() => Fiber.Run(() => Domain.Available()))!;
        Assert.That(e.Method, Is.EqualTo("Domain.Available"));

        var awaited = Assert.Throws<NotInFiberException>(() => Fiber.Run(() => { Fiber.Await(null!); }))!;
        Assert.That(awaited.Method, Is.EqualTo("Fiber.Await"));
    }
}
