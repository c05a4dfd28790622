// A tour of Miou: fibers, children, awaiting, cancellation, and a rule being enforced.
// Written in direct style: [Fiber] methods call Fiber.Async, Fiber.Await, Fiber.Cancel, … with no async and no await.
// Miou's generator turns each [Fiber] method into a resumable state machine, and Fiber.Run(Method, …) starts it.
using Miou;

var fifo = new RunOptions { Policy = SchedulingPolicy.Fifo };

// 1. A parent spawns two children on its domain and awaits both: every child is awaited (rule 1).
var sum = Fiber.Run(Tour.SumOfSquares, 1, 1000, fifo);
Console.WriteLine($"   sum of squares 1..1000 = {sum}");

// 2. Cancellation: the parent cancels a child stuck in a loop; Cancel returns once the child's finally has run.
Fiber.Run(Tour.CancelASpinner, fifo);

// 3. AwaitFirst: the first child to finish wins, the others are cancelled before it returns.
var winner = Fiber.Run(Tour.FirstToFinish, fifo);
Console.WriteLine($"3. AwaitFirst returned \"{winner}\"; the slow child was cancelled");

// 4. A failing child takes its own children down; the parent sees the failure as a value.
Fiber.Run(Tour.FailingChild, fifo);

// 5. A rule enforced: returning while a child is neither awaited nor cancelled stops the whole run.
try
{
    Fiber.Run(Tour.ForgetAChild, fifo with { Seed = 2026 });
}
catch (StillHasChildrenException e)
{
    Console.WriteLine("5. the runtime enforced rule 1:");
    Console.WriteLine($"   {e.Message}");
}

// 6. And rule 2: a task may await only its own children.
try
{
    Fiber.Run(Tour.AwaitASibling, fifo with { Seed = 2026 });
}
catch (NotAChildException e)
{
    Console.WriteLine("6. the runtime enforced rule 2:");
    Console.WriteLine($"   {e.Message}");
}

Console.WriteLine("Tour complete.");

internal static partial class Tour
{
    [Fiber]
    public static long SumOfSquares(int from, int to)
    {
        var middle = (from + to) / 2;
        var a = Fiber.Async(() => SumOfSquaresOfRange(from, middle));
        var b = Fiber.Async(() => SumOfSquaresOfRange(middle + 1, to));
        Console.WriteLine("1. parent: spawned two children, now awaiting them");
        return Fiber.Await(a) + Fiber.Await(b);
    }

    [Fiber]
    public static void CancelASpinner()
    {
        var spinner = Fiber.Async(() =>
        {
            try
            {
                while (true)
                {
                    Fiber.Yield(); // every Miou operation is a scheduling point: the parent gets to run
                }
            }
            finally
            {
                Console.WriteLine("   child: finally ran (cancelled at its suspension point)");
            }
        });
        Fiber.Yield();
        Console.WriteLine("2. parent: cancelling the spinning child");
        Fiber.Cancel(spinner);
        var outcome = Fiber.AwaitResult(spinner);
        Console.WriteLine($"   parent: the child's outcome is {outcome.Error!.GetType().Name}");
    }

    [Fiber]
    public static string FirstToFinish()
    {
        var quick = Fiber.Async(() => "quick");
        var slow = Fiber.Async(() =>
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                Fiber.Yield();
            }

            return "slow";
        });
        return Fiber.AwaitFirst(quick, slow).Value;
    }

    [Fiber]
    public static void FailingChild()
    {
        var failing = Fiber.Async(() =>
        {
            Fiber.Async(() =>
            {
                try
                {
                    while (true)
                    {
                        Fiber.Yield();
                    }
                }
                finally
                {
                    Console.WriteLine("   grandchild: torn down with its failing parent");
                }
            });
            Fiber.Yield();
            throw new InvalidOperationException("the child gave up");
        });
        var result = Fiber.AwaitResult(failing);
        Console.WriteLine($"4. parent: the child failed with \"{result.Error!.Message}\"");
    }

    [Fiber]
    public static int ForgetAChild()
    {
        Fiber.Async(() => 42); // forgotten
        return 0;
    }

    [Fiber]
    public static int AwaitASibling()
    {
        var a = Fiber.Async(() => 1);
        var b = Fiber.Async(() => Fiber.Await(a)); // a is its sibling, not its child
        Fiber.Await(a);
        return Fiber.Await(b);
    }

    [Fiber]
    private static long SumOfSquaresOfRange(int from, int to)
    {
        long total = 0;
        for (var i = from; i <= to; i++)
        {
            total += (long)i * i;
            if (i % 100 == 0)
            {
                Fiber.Yield(); // let the sibling run too
            }
        }

        return total;
    }
}
