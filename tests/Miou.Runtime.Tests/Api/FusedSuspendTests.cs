using Miou.Tests.Behaviour;

namespace Miou.Tests.Api;

/// <summary>
/// <c>Fiber.SuspendAsync(name, register)</c>, the hot-path form of the suspension API that Miou.Unix uses: it creates the
/// syscall and suspends on it with one scheduling point instead of the four of <c>SyscallAsync</c> + <c>SuspendAsync</c>.
/// </summary>
public class FusedSuspendTests
{
    private static RunOptions With(ScriptedEvents events) => TestKit.Fifo with { Domains = 0, Events = _ => events };

    [Test]
    public void The_register_callback_gets_a_syscall_of_the_calling_task_with_its_name_and_the_signal_resumes_the_task()
    {
        var events = new ScriptedEvents();
        var trace = new List<TraceEvent>();
        Syscall? given = null;
        var after = Fiber.Run(async () =>
        {
            await Fiber.SuspendAsync("tick", s =>
            {
                given = s;
                events.Register(s);
                events.Ready(s);
            });
            return "resumed";
        }, With(events) with { Trace = trace.Add });

        Assert.That(after, Is.EqualTo("resumed"));
        Assert.That(given, Is.Not.Null);
        Assert.That(given!.Name, Is.EqualTo("tick"));
        Assert.That(given.Domain, Is.EqualTo(new Domain(0)));
        Assert.That(events.Registered, Is.EqualTo(new[] { given }));
        Assert.That(trace, Has.One.Matches<TraceEvent>(e => e.Kind == TraceKind.Suspend && e.Other == given.Id && e.Name == "tick"));
        Assert.That(trace, Has.One.Matches<TraceEvent>(e => e.Kind == TraceKind.Continue && e.Other == given.Id));
    }

    [TestCase(true, 1)]
    [TestCase(false, 4)]
    public void The_fused_form_is_one_scheduling_point_before_registration_the_two_step_form_four(bool fused, int expected)
    {
        // Under FIFO with one other task that yields forever, each scheduling point of the root lets it run exactly once.
        var events = new ScriptedEvents();
        var counter = 0;
        var seenAtRegistration = -1;
        var before = -1;
        Fiber.Run(async () =>
        {
            var spinner = await Fiber.SpawnAsync(async () =>
            {
                while (true)
                {
                    counter++;
                    await Fiber.YieldAsync();
                }
            });
            await Fiber.YieldAsync(); // the spinner is running and queued behind the root from here on
            before = counter;
            void Register(Syscall s)
            {
                seenAtRegistration = counter;
                events.Register(s);
                events.Ready(s);
            }

            if (fused)
            {
                await Fiber.SuspendAsync("fused", Register);
            }
            else
            {
                var s = await Fiber.SyscallAsync("two-step");
                await Fiber.SuspendAsync(s, () => Register(s));
            }

            await Fiber.CancelAsync(spinner);
        }, With(events));

        Assert.That(seenAtRegistration - before, Is.EqualTo(expected), "turns the other task got between the call and the registration");
    }

    [Test]
    public void A_task_cancelled_at_the_scheduling_point_never_registers_and_the_source_is_told_nothing()
    {
        var events = new ScriptedEvents();
        var (reached, registered) = (false, false);
        Exception? outcome = null;
        Fiber.Run(async () =>
        {
            var child = await Fiber.SpawnAsync(async () =>
            {
                await Fiber.YieldAsync();
                reached = true;
                await Fiber.SuspendAsync("never", _ => registered = true);
            });
            // FIFO, one point each: the child starts and yields during the cancel's who-am-I point, reaches its suspension
            // point during the cancel's second, and the cancellation strikes it there.
            await Fiber.CancelAsync(child);
            outcome = (await Fiber.AwaitResultAsync(child)).Error;
        }, With(events));

        Assert.That(outcome, Is.TypeOf<CancelledException>());
        Assert.That(reached, Is.True, "the child got past its yield to the suspension");
        Assert.That(registered, Is.False);
        Assert.That(events.Registered, Is.Empty);
        Assert.That(events.Cancelled, Is.Empty, "nothing was registered, so there is nothing to forget");
    }

    [Test]
    public void A_register_callback_that_throws_fails_the_await_and_the_source_is_told_to_forget_the_syscall()
    {
        var events = new ScriptedEvents();
        Syscall? given = null;
        InvalidOperationException? thrown = null;
        Fiber.Run(async () =>
        {
            try
            {
                await Fiber.SuspendAsync("broken", s =>
                {
                    given = s;
                    throw new InvalidOperationException("the table is full");
                });
            }
            catch (InvalidOperationException e)
            {
                thrown = e;
            }

            // Suspend once more so that a select runs and receives the cancelled id.
            await Fiber.SuspendAsync("next", s =>
            {
                events.Register(s);
                events.Ready(s);
            });
        }, With(events));

        Assert.That(thrown?.Message, Is.EqualTo("the table is full"));
        Assert.That(events.Cancelled, Is.EqualTo(new[] { given!.Id }));
    }

    [Test]
    public void A_null_register_callback_is_rejected_by_name()
    {
        ArgumentNullException? error = null;
        Fiber.Run(async () =>
        {
            error = await TestKit.CatchAsync<ArgumentNullException>(async () => await Fiber.SuspendAsync("x", (Action<Syscall>)null!));
        }, TestKit.Fifo with { Domains = 0 });

        Assert.That(error?.ParamName, Is.EqualTo("register"));
    }

    [Test]
    public void Outside_a_fiber_the_fused_form_says_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Fiber.SuspendAsync("x", _ => { }));
        Assert.That(error!.Message, Does.Contain("Fiber.SuspendAsync was used outside a fiber"));
    }
}
