// A tour of Miou: fibers, children, awaiting, cancellation, and a rule being enforced.
// The fibers here are written by hand as 'async Fiber<T>' methods; with Miou's generator the same program is written in
// direct style ([Fiber] methods calling Fiber.Async / Fiber.Await) and the generator produces this form.
using Miou;

var fifo = new RunOptions { Policy = SchedulingPolicy.Fifo };

// 1. A parent spawns two children on its domain and awaits both: every child is awaited (rule 1).
var sum = Fiber.Run(async () =>
{
    var a = await Fiber.SpawnAsync(() => SumOfSquares(1, 500));
    var b = await Fiber.SpawnAsync(() => SumOfSquares(501, 1000));
    Console.WriteLine("1. parent: spawned two children, now awaiting them");
    return await Fiber.AwaitAsync(a) + await Fiber.AwaitAsync(b);
}, fifo);
Console.WriteLine($"   sum of squares 1..1000 = {sum}");

// 2. Cancellation: the parent cancels a child stuck in a loop; Cancel returns once the child's finally has run.
Fiber.Run(async () =>
{
    var spinner = await Fiber.SpawnAsync(async () =>
    {
        try
        {
            for (var turn = 0; ; turn++)
            {
                await Fiber.YieldAsync(); // every Miou operation is a scheduling point: the parent gets to run
            }
        }
        finally
        {
            Console.WriteLine("   child: finally ran (cancelled at its suspension point)");
        }
    });
    await Fiber.YieldAsync();
    Console.WriteLine("2. parent: cancelling the spinning child");
    await Fiber.CancelAsync(spinner);
    var outcome = await Fiber.AwaitResultAsync(spinner);
    Console.WriteLine($"   parent: the child's outcome is {outcome.Error!.GetType().Name}");
}, fifo);

// 3. AwaitFirst: the first child to finish wins, the others are cancelled before it returns.
var winner = Fiber.Run(async () =>
{
    var quick = await Fiber.SpawnAsync(async () => "quick");
    var slow = await Fiber.SpawnAsync(async () =>
    {
        for (var i = 0; i < 1_000_000; i++)
        {
            await Fiber.YieldAsync();
        }

        return "slow";
    });
    return (await Fiber.AwaitFirstAsync(quick, slow)).Value;
}, fifo);
Console.WriteLine($"3. AwaitFirst returned \"{winner}\"; the slow child was cancelled");

// 4. A failing child takes its own children down; the parent sees the failure as a value.
Fiber.Run(async () =>
{
    var failing = await Fiber.SpawnAsync(async () =>
    {
        await Fiber.SpawnAsync(async () =>
        {
            try
            {
                while (true)
                {
                    await Fiber.YieldAsync();
                }
            }
            finally
            {
                Console.WriteLine("   grandchild: torn down with its failing parent");
            }
        });
        await Fiber.YieldAsync();
        throw new InvalidOperationException("the child gave up");
    });
    var result = await Fiber.AwaitResultAsync(failing);
    Console.WriteLine($"4. parent: the child failed with \"{result.Error!.Message}\"");
}, fifo);

// 5. A rule enforced: returning while a child is neither awaited nor cancelled stops the whole run.
try
{
    Fiber.Run(async () =>
    {
        await Fiber.SpawnAsync(async () => 42); // forgotten
        return 0;
    }, fifo with { Seed = 2026 });
}
catch (StillHasChildrenException e)
{
    Console.WriteLine("5. the runtime enforced rule 1:");
    Console.WriteLine($"   {e.Message}");
}

// 6. And rule 2: a task may await only its own children.
try
{
    Fiber.Run(async () =>
    {
        var a = await Fiber.SpawnAsync(async () => 1);
        var b = await Fiber.SpawnAsync(async () => await Fiber.AwaitAsync(a)); // a is its sibling, not its child
        await Fiber.AwaitAsync(a);
        return await Fiber.AwaitAsync(b);
    }, fifo with { Seed = 2026 });
}
catch (NotAChildException e)
{
    Console.WriteLine("6. the runtime enforced rule 2:");
    Console.WriteLine($"   {e.Message}");
}

Console.WriteLine("Tour complete.");

static async Fiber<long> SumOfSquares(int from, int to)
{
    long total = 0;
    for (var i = from; i <= to; i++)
    {
        total += (long)i * i;
        if (i % 100 == 0)
        {
            await Fiber.YieldAsync(); // let the sibling run too
        }
    }

    return total;
}
