namespace Miou.Tests.Api;

/// <summary>Fiber.Run's overloads: hand-written fibers and direct-style functions, with zero, one or two arguments.</summary>
public class RunOverloadTests
{
    private static readonly RunOptions OneDomain = new() { Domains = 0 };

    private static async Fiber<int> Twice(int x)
    {
        await Fiber.YieldAsync();
        return 2 * x;
    }

    private static async Fiber<string> Join(string a, int b)
    {
        await Fiber.YieldAsync();
        return $"{a}{b}";
    }

    private static async Fiber Record(List<int> log, int value)
    {
        await Fiber.YieldAsync();
        log.Add(value);
    }

    private static int PlainIncrement(int x) => x + 1;

    [Test]
    public void A_fiber_method_group_with_arguments_runs_as_the_root()
    {
        Assert.That(Fiber.Run(Twice, 21, OneDomain), Is.EqualTo(42));
        Assert.That(Fiber.Run(Join, "a", 1, OneDomain), Is.EqualTo("a1"));
        var log = new List<int>();
        Fiber.Run(Record, log, 7, OneDomain);
        Assert.That(log, Is.EqualTo(new[] { 7 }));
    }

    [Test]
    public void An_async_lambda_with_an_argument_picks_the_fiber_overload()
    {
        var result = Fiber.Run(async (int x) =>
        {
            var child = await Fiber.SpawnAsync(async () => x + 1);
            return await Fiber.AwaitAsync(child);
        }, 9, OneDomain);
        Assert.That(result, Is.EqualTo(10));
    }

    [Test]
    public void A_plain_function_with_an_argument_runs_as_a_root_that_performs_no_operation()
    {
        Assert.That(Fiber.Run(PlainIncrement, 41, OneDomain), Is.EqualTo(42));
        Assert.That(Fiber.Run((int a, int b) => a * b, 6, 7, OneDomain), Is.EqualTo(42));
    }

    [Test]
    public void A_direct_style_operation_in_a_plain_function_throws_NotInFiber()
    {
        var error = Assert.Throws<NotInFiberException>(() => Fiber.Run((int x) =>
        {
            Fiber.Yield();
            return x;
        }, 1, OneDomain));
        Assert.That(error!.Message, Does.Contain("[Fiber]"));
    }

    [Test]
    public void Task_returning_and_async_void_delegates_are_rejected_with_the_argument_named()
    {
        var task = Assert.Throws<ArgumentException>(() => Fiber.Run((int x) => Task.FromResult(x), 1, OneDomain));
        Assert.That(task!.ParamName, Is.EqualTo("main"));
        Assert.That(task.Message, Does.Contain("async Fiber<T>"));

        Action<int> asyncVoidBody = async x => await Task.Yield();
        var asyncVoid = Assert.Throws<ArgumentException>(() => Fiber.Run(asyncVoidBody, 1, OneDomain));
        Assert.That(asyncVoid!.ParamName, Is.EqualTo("main"));
        Assert.That(asyncVoid.Message, Does.Contain("async void"));
    }

    [Test]
    public void An_untyped_async_lambda_becomes_a_fiber_so_awaiting_a_Task_in_it_names_the_bridge()
    {
        // Overload priority makes an async lambda an 'async Fiber' lambda rather than an async void Action.
        var error = Assert.Throws<InvalidOperationException>(() => Fiber.Run(async (int x) => await Task.Yield(), 1, OneDomain));
        Assert.That(error!.Message, Does.Contain("Fiber.AwaitTask"));
    }

    [Test]
    public void Null_entry_points_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Fiber.Run((Func<int, Fiber<int>>)null!, 1));
        Assert.Throws<ArgumentNullException>(() => Fiber.Run((Action<int>)null!, 1));
        Assert.Throws<ArgumentNullException>(() => Fiber.Run((Func<int, int, Fiber>)null!, 1, 2));
    }
}
