using Miou.Tests.Behaviour;

namespace Miou.Tests.Rules;

/// <summary>Every argument check of the public surface: null arguments, empty or holey lists, misuse of orphans,
/// resources, syscalls, signals, hooks, run options and the entry points.</summary>
public class ArgumentCheckTests
{
    // ------------------------------------------------------------------ nulls, inside a fiber

    private static IEnumerable<TestCaseData> NullArgumentsInAFiber()
    {
        static TestCaseData Case(string name, string parameter, Func<Fiber> body) =>
            new TestCaseData(parameter, body).SetArgDisplayNames(name);

        yield return Case("SpawnAsync<T>", "body", async () => await Fiber.SpawnAsync<int>(null!));
        yield return Case("SpawnAsync", "body", async () => await Fiber.SpawnAsync((Func<Fiber>)null!));
        yield return Case("CallAsync<T>", "body", async () => await Fiber.CallAsync<int>(null!));
        yield return Case("ParallelAsync body", "body", async () => await Fiber.ParallelAsync<int, int>(null!, [1]));
        yield return Case("ParallelAsync items", "items", async () => await Fiber.ParallelAsync<int, int>(async x => x, null!));
        yield return Case("AwaitAsync<T>", "promise", async () => await Fiber.AwaitAsync((Promise<int>)null!));
        yield return Case("AwaitAsync", "promise", async () => await Fiber.AwaitAsync((Promise)null!));
        yield return Case("AwaitResultAsync<T>", "promise", async () => await Fiber.AwaitResultAsync((Promise<int>)null!));
        yield return Case("AwaitResultAsync", "promise", async () => await Fiber.AwaitResultAsync((Promise)null!));
        yield return Case("CancelAsync", "promise", async () => await Fiber.CancelAsync(null!));
        yield return Case("AwaitAllAsync<T>", "promises", async () => await Fiber.AwaitAllAsync((IReadOnlyList<Promise<int>>)null!));
        yield return Case("AwaitAllAsync", "promises", async () => await Fiber.AwaitAllAsync((IReadOnlyList<Promise>)null!));
        yield return Case("AwaitOneAsync", "promises", async () => await Fiber.AwaitOneAsync((IReadOnlyList<Promise<int>>)null!));
        yield return Case("AwaitFirstAsync", "promises", async () => await Fiber.AwaitFirstAsync((IReadOnlyList<Promise<int>>)null!));
        yield return Case("ProtectAsync<T>", "body", async () => await Fiber.ProtectAsync<int>(null!));
        yield return Case("ProtectAsync", "body", async () => await Fiber.ProtectAsync((Func<Fiber>)null!));
        yield return Case("AwaitTaskAsync<T>", "task", async () => await Fiber.AwaitTaskAsync((Task<int>)null!));
        yield return Case("AwaitTaskAsync", "task", async () => await Fiber.AwaitTaskAsync((Task)null!));
        yield return Case("SuspendAsync", "syscall", async () => await Fiber.SuspendAsync(null!));
        yield return Case("OwnAsync", "resource", async () => await Ownership.OwnAsync(null!));
        yield return Case("CheckAsync", "resource", async () => await Ownership.CheckAsync(null!));
        yield return Case("DisownAsync", "resource", async () => await Ownership.DisownAsync(null!));
        yield return Case("ReleaseAsync", "resource", async () => await Ownership.ReleaseAsync(null!));
        yield return Case("TransferAsync", "resource", async () => await Ownership.TransferAsync(null!));
        yield return Case("Hook.AddAsync", "action", async () => await Hook.AddAsync(null!));
        yield return Case("FiberCondition.WaitAsync", "mutex", async () => await new FiberCondition().WaitAsync(null!));
        yield return Case("FiberMutex.ProtectAsync", "body", async () => await new FiberMutex().ProtectAsync<int>(null!));
    }

    [TestCaseSource(nameof(NullArgumentsInAFiber))]
    public void Null_argument_in_a_fiber_throws_ArgumentNullException_naming_the_parameter(string parameter, Func<Fiber> body)
    {
        var after = false;
        Assert.That(() => Fiber.Run(async () =>
            {
                await body();
                after = true;
            }, new RunOptions { Domains = 0 }),
            Throws.TypeOf<ArgumentNullException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter));
        Assert.That(after, Is.False);
    }

    // ------------------------------------------------------------------ nulls, outside a fiber

    private static IEnumerable<TestCaseData> NullArgumentsAnywhere()
    {
        static TestCaseData Case(string name, string parameter, TestDelegate call) =>
            new TestCaseData(parameter, call).SetArgDisplayNames(name);

        yield return Case("Run(Func<Fiber<T>>)", "main", () => Fiber.Run((Func<Fiber<int>>)null!));
        yield return Case("Run(Func<Fiber>)", "main", () => Fiber.Run((Func<Fiber>)null!));
        yield return Case("Run(Func<T>)", "main", () => Fiber.Run((Func<int>)null!));
        yield return Case("Run(Action)", "main", () => Fiber.Run((Action)null!));
        yield return Case("Ownership.Create", "finaliser", () => Ownership.Create(1, null!));
        yield return Case("FiberLazy.FromFunc", "compute", () => FiberLazy<int>.FromFunc(null!));
        yield return Case("FiberLazy.FromFiber", "compute", () => FiberLazy<int>.FromFiber(null!));
        yield return Case("Trigger.OnSignal", "action", () => new Trigger().OnSignal(null!));
        yield return Case("Computation.TryCancel", "error", () => new Computation<int>().TryCancel(null!));
        yield return Case("Computation.TryCapture", "body", () => new Computation<int>().TryCapture(null!));
        yield return Case("Computation.TryAttach", "trigger", () => new Computation<int>().TryAttach(null!));
        yield return Case("Computation.Detach", "trigger", () => new Computation<int>().Detach(null!));
        yield return Case("new Signal", "syscall", () => _ = new Signal(null!));
        yield return Case("Result.Fail", "error", () => Result<int>.Fail((Exception)null!));
    }

    [TestCaseSource(nameof(NullArgumentsAnywhere))]
    public void Null_argument_throws_ArgumentNullException_naming_the_parameter(string parameter, TestDelegate call) =>
        Assert.That(call, Throws.TypeOf<ArgumentNullException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter));

    // ------------------------------------------------------------------ lists

    [Test]
    public void AwaitFirst_and_AwaitOne_of_an_empty_list_throw_ArgumentException()
    {
        var errors = new List<Exception>();
        var all = -1;
        Fiber.Run(async () =>
        {
            foreach (var op in new Func<Fiber>[] { async () => await Fiber.AwaitFirstAsync<int>(), async () => await Fiber.AwaitOneAsync<int>() })
            {
                errors.AddRange((await TestKit.CatchAsync<ArgumentException>(op)) is { } e ? [e] : []);
            }

            all = (await Fiber.AwaitAllAsync<int>()).Length; // an empty list is fine for AwaitAll
        });

        Assert.That(errors, Has.Count.EqualTo(2));
        Assert.That(errors, Has.All.TypeOf<ArgumentException>().And.Property(nameof(ArgumentException.ParamName)).EqualTo("promises"));
        Assert.That(errors[0].Message, Does.Contain("empty"));
        Assert.That(all, Is.Zero);
    }

    [TestCase("AwaitFirst")]
    [TestCase("AwaitOne")]
    [TestCase("AwaitAll")]
    public void A_null_element_throws_ArgumentException_before_anything_is_awaited(string operation)
    {
        ArgumentException? error = null;
        var state = PromiseState.Finished;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => 1);
            error = await TestKit.CatchAsync<ArgumentException>(async () => _ = operation switch
            {
                "AwaitFirst" => await Fiber.AwaitFirstAsync(p, null!),
                "AwaitOne" => await Fiber.AwaitOneAsync(p, null!),
                _ => (await Fiber.AwaitAllAsync(p, null!))[0],
            });

            state = p.State; // not consumed, not cancelled: still ours to await
            await Fiber.AwaitAsync(p);
        });

        Assert.That(error, Is.TypeOf<ArgumentException>());
        Assert.That(error!.ParamName, Is.EqualTo("promises"));
        Assert.That(error.Message, Does.Contain("null at index 1"));
        Assert.That(state, Is.Not.EqualTo(PromiseState.Exited));
    }

    // ------------------------------------------------------------------ orphans

    [TestCase("spawn")]
    [TestCase("care")]
    [TestCase("take")]
    [TestCase("get")]
    public void Orphans_used_by_another_task_than_their_owner_throw_ArgumentException(string operation)
    {
        Result<Unit> outcome = default;
        Fiber.Run(async () =>
        {
            var orphans = new Orphans<Unit>();
            var mine = await Fiber.SpawnAsync(async () => { }, orphans); // the root owns the collection now
            var intruder = await Fiber.SpawnAsync(async () =>
            {
                switch (operation)
                {
                    case "spawn":
                        await Fiber.SpawnAsync(async () => { }, orphans);
                        break;
                    case "care":
                        await orphans.CareAsync();
                        break;
                    case "take":
                        await orphans.TakeAsync();
                        break;
                    default:
                        await orphans.GetAsync();
                        break;
                }
            });
            outcome = await Fiber.AwaitResultAsync(intruder);
            await Fiber.AwaitAsync(mine);
        });

        Assert.That(outcome.Error, Is.TypeOf<ArgumentException>());
        var error = (ArgumentException)outcome.Error!;
        Assert.That(error.Message, Does.StartWith("The given orphans is owned by another promise"));
        Assert.That(error.Message, Does.Contain("the root task #1"));
        Assert.That(error.ParamName, Is.EqualTo("orphans"));
    }

    // ------------------------------------------------------------------ ownership

    [Test]
    public void Own_twice_throws_ArgumentException_and_keeps_a_single_ownership()
    {
        var finalised = 0;
        ArgumentException? error = null;
        Fiber.Run(async () =>
        {
            var r = Ownership.Create(0, _ => finalised++);
            await Ownership.OwnAsync(r);
            error = await TestKit.CatchAsync<ArgumentException>(async () => await Ownership.OwnAsync(r));

            await Ownership.ReleaseAsync(r);
            await Ownership.OwnAsync(r); // released: owning it again is fine
            await Ownership.DisownAsync(r);
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.StartWith("The current promise already holds the resource given"));
        Assert.That(error.ParamName, Is.EqualTo("resource"));
        Assert.That(finalised, Is.EqualTo(1));
    }

    [Test]
    public void Transfer_from_the_root_throws_ArgumentException_and_the_root_keeps_the_resource()
    {
        var finalised = 0;
        ArgumentException? error = null;
        Fiber.Run(async () =>
        {
            var r = Ownership.Create(0, _ => finalised++);
            await Ownership.OwnAsync(r);
            error = await TestKit.CatchAsync<ArgumentException>(async () => await Ownership.TransferAsync(r));

            await Ownership.CheckAsync(r);
            await Ownership.ReleaseAsync(r);
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.StartWith("The current promise has no parent, so it is impossible to transfer a resource"));
        Assert.That(error.ParamName, Is.EqualTo("resource"));
        Assert.That(finalised, Is.EqualTo(1));
    }

    // ------------------------------------------------------------------ syscalls and signals

    [Test]
    public void Suspend_on_another_tasks_syscall_throws_ArgumentException()
    {
        ArgumentException? error = null;
        var onSuspendRan = false;
        int child = 0;
        Fiber.Run(async () =>
        {
            var p = await Fiber.SpawnAsync(async () => await Fiber.SyscallAsync("theirs"));
            child = p.Id;
            var syscall = await Fiber.AwaitAsync(p);
            error = await TestKit.CatchAsync<ArgumentException>(async () => await Fiber.SuspendAsync(syscall, () => onSuspendRan = true));
        });

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.StartWith("This syscall does not belong to the current promise"));
        Assert.That(error.Message, Does.Contain("'theirs'").And.Contain($"task #{child}").And.Contain("the root task #1"));
        Assert.That(error.ParamName, Is.EqualTo("syscall"));
        Assert.That(onSuspendRan, Is.False);
    }

    [Test]
    public void A_signal_built_off_its_domain_throws_ArgumentException()
    {
        Exception? onForeignThread = null;
        Syscall? syscall = null;
        Fiber.Run(async () =>
        {
            syscall = await Fiber.SyscallAsync("elsewhere");
            var thread = new Thread(() => onForeignThread = Assert.Catch(() => _ = new Signal(syscall)));
            thread.Start();
            thread.Join(); // dom0 blocks for a moment: nothing else to run
            _ = new Signal(syscall); // on its own domain it is fine
        });

        Assert.That(onForeignThread, Is.TypeOf<ArgumentException>());
        Assert.That(onForeignThread!.Message, Does.StartWith("This syscall does not belong to the current domain"));
        Assert.That(((ArgumentException)onForeignThread).ParamName, Is.EqualTo("syscall"));
        var afterTheRun = Assert.Throws<ArgumentException>(() => _ = new Signal(syscall!))!;
        Assert.That(afterTheRun.Message, Does.StartWith("This syscall does not belong to the current domain"));
    }

    // ------------------------------------------------------------------ hooks

    [Test]
    public void Removing_a_hook_twice_is_harmless_and_it_no_longer_runs()
    {
        var runs = 0;
        var afterRemoval = -1;
        Fiber.Run(async () =>
        {
            var hook = await Hook.AddAsync(() => runs++);
            await TestKit.Yields(3);
            await hook.RemoveAsync();
            afterRemoval = runs;
            await hook.RemoveAsync();
            await TestKit.Yields(3);
        }, new RunOptions { Domains = 0 });

        Assert.That(afterRemoval, Is.GreaterThan(0));
        Assert.That(runs, Is.EqualTo(afterRemoval));
    }

    // ------------------------------------------------------------------ run options and entry points

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new RunOptions { Quanta = 0 }, "Quanta").SetArgDisplayNames("Quanta = 0");
        yield return new TestCaseData(new RunOptions { Quanta = -3 }, "Quanta").SetArgDisplayNames("Quanta = -3");
        yield return new TestCaseData(new RunOptions { Domains = -1 }, "Domains").SetArgDisplayNames("Domains = -1");
        yield return new TestCaseData(new RunOptions { Domains = int.MaxValue }, "Domains").SetArgDisplayNames("Domains = int.MaxValue");
        yield return new TestCaseData(new RunOptions { Domains = RunOptions.MaxDomains + 1 }, "Domains").SetArgDisplayNames("Domains = MaxDomains + 1");
        yield return new TestCaseData(new RunOptions { Policy = (SchedulingPolicy)42 }, "Policy").SetArgDisplayNames("Policy = 42");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Invalid_run_options_throw_before_anything_runs(RunOptions options, string property)
    {
        var ran = false;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Fiber.Run(async () => { ran = true; }, options))!;
        Assert.That(e.Message, Does.Contain($"RunOptions.{property}"));
        Assert.That(ran, Is.False);
    }

    [Test]
    public void Run_rejects_an_async_void_action()
    {
        var ran = false;
        Action main = async () =>
        {
            ran = true;
            await Task.Yield();
        };
        var e = Assert.Throws<ArgumentException>(() => Fiber.Run(main))!;
        Assert.That(e.ParamName, Is.EqualTo("main"));
        Assert.That(e.Message, Does.Contain("async void").And.Contain("async Fiber"));
        Assert.That(ran, Is.False);
    }

    private static IEnumerable<TestCaseData> TaskReturningFunctions()
    {
        yield return new TestCaseData((TestDelegate)(() => Fiber.Run(async Task<int> () => 1))).SetArgDisplayNames("Task<int>");
        yield return new TestCaseData((TestDelegate)(() => Fiber.Run(async Task () => { }))).SetArgDisplayNames("Task");
        yield return new TestCaseData((TestDelegate)(() => Fiber.Run(async ValueTask () => { }))).SetArgDisplayNames("ValueTask");
        yield return new TestCaseData((TestDelegate)(() => Fiber.Run(async ValueTask<int> () => 1))).SetArgDisplayNames("ValueTask<int>");
    }

    [TestCaseSource(nameof(TaskReturningFunctions))]
    public void Run_rejects_a_Task_returning_function(TestDelegate run)
    {
        var e = Assert.Throws<ArgumentException>(run)!;
        Assert.That(e.ParamName, Is.EqualTo("main"));
        Assert.That(e.Message, Does.Contain("cannot run as a fiber").And.Contain("async Fiber<T>"));
    }

    [Test]
    public void Run_accepts_a_plain_function_and_action()
    {
        var ran = false;
        Assert.That(Fiber.Run(() => 41 + 1), Is.EqualTo(42));
        Fiber.Run(() => { ran = true; });
        Assert.That(ran, Is.True);
    }
}
