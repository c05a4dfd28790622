namespace Miou;

public readonly partial struct Fiber
{
    /// <summary>Waits for a <see cref="Task{TResult}"/> without blocking the domain (direct style).</summary>
    [DirectStyle(nameof(AwaitTaskAsync))]
    public static T AwaitTask<T>(Task<T> task) => throw new NotInFiberException("Fiber.AwaitTask");

    /// <summary>Waits for a <see cref="Task"/> without blocking the domain (direct style).</summary>
    [DirectStyle(nameof(AwaitTaskAsync))]
    public static void AwaitTask(Task task) => throw new NotInFiberException("Fiber.AwaitTask");

    /// <summary>
    /// Waits for a .NET <see cref="Task{TResult}"/>: the fiber parks (its domain runs other tasks) and is resumed on its own
    /// domain when the task completes, with its value or its exception. If the fiber is cancelled meanwhile it stops waiting
    /// (the task itself goes on: pass it a <see cref="CancellationToken"/> of yours to stop it).
    /// </summary>
    public static async Fiber<T> AwaitTaskAsync<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        await WaitForTask(task);
        return task.ConfigureAwait(false).GetAwaiter().GetResult();
    }

    /// <summary>Waits for a .NET <see cref="Task"/>; see <see cref="AwaitTaskAsync{T}(Task{T})"/>.</summary>
    public static async Fiber AwaitTaskAsync(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        await WaitForTask(task);
        task.ConfigureAwait(false).GetAwaiter().GetResult();
    }

    /// <summary>Waits for a <see cref="ValueTask{TResult}"/> without blocking the domain (direct style).</summary>
    [DirectStyle(nameof(AwaitTaskAsync))]
    public static T AwaitTask<T>(ValueTask<T> task) => throw new NotInFiberException("Fiber.AwaitTask");

    /// <summary>Waits for a <see cref="ValueTask"/> without blocking the domain (direct style).</summary>
    [DirectStyle(nameof(AwaitTaskAsync))]
    public static void AwaitTask(ValueTask task) => throw new NotInFiberException("Fiber.AwaitTask");

    /// <summary>Waits for a <see cref="ValueTask{TResult}"/>; see <see cref="AwaitTaskAsync{T}(Task{T})"/>. Consumes it (await it only once).</summary>
    public static Fiber<T> AwaitTaskAsync<T>(ValueTask<T> task) => AwaitTaskAsync(task.AsTask());

    /// <summary>Waits for a <see cref="ValueTask"/>; see <see cref="AwaitTaskAsync{T}(Task{T})"/>. Consumes it (await it only once).</summary>
    public static Fiber AwaitTaskAsync(ValueTask task) => AwaitTaskAsync(task.AsTask());

    private static OpAwaitable WaitForTask(Task task)
    {
        var trigger = new Trigger();
        if (task.IsCompleted)
        {
            trigger.Signal(); // still one scheduling point, as every Miou operation
        }
        else
        {
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(trigger.Signal);
        }

        return trigger.AwaitAsync();
    }
}
