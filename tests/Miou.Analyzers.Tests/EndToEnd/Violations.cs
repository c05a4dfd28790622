// The end-to-end sample: one violation of each of Miou's rules, written as a user writes them. EndToEndTests compiles it
// with Miou's generator and analyzers loaded from their assemblies and expects each rule on the line marked with it.
// Fixed.cs is the same program with every violation fixed.
using System;
using System.Threading;
using Miou;

namespace Sample;

public static partial class Shop
{
    [Fiber]
    public static int Price(int item)
    {
        Fiber.Yield();
        return item * 10;
    }

    [Fiber]
    public static int Forgets(int item)
    {
        var price = Fiber.Async(() => Price(item)); // expect: MIOU0001
        return item;
    }

    [Fiber]
    public static int Sibling(int item)
    {
        var price = Fiber.Async(() => Price(item));
        var doubled = Fiber.Async(() => 2 * Fiber.Await(price)); // expect: MIOU0002
        Fiber.Await(price);
        return Fiber.Await(doubled);
    }

    public static int Outside(int item) => Price(item); // expect: MIOU0003

    [Fiber]
    public static int Swallows(int item)
    {
        try
        {
            return Price(item);
        }
        catch (Exception e) // expect: MIOU0004
        {
            Console.WriteLine(e.Message);
            return 0;
        }
    }

    [Fiber]
    public static int Blocks(int item)
    {
        Thread.Sleep(10); // expect: MIOU0005
        return Price(item);
    }

    [Fiber]
    public static int Leaks(int item)
    {
        var basket = Ownership.Create(item, _ => { });
        Ownership.Own(basket); // expect: MIOU0006
        return Price(item);
    }

    public static int Main() => Fiber.Run(Forgets, 1) + Fiber.Run(Sibling, 2) + Fiber.Run(Swallows, 3) + Fiber.Run(Blocks, 4) + Fiber.Run(Leaks, 5);
}
