// The end-to-end sample with every violation of Violations.cs fixed: EndToEndTests expects no diagnostic at all.
using System;
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
        var price = Fiber.Async(() => Price(item));
        Fiber.Cancel(price);
        return item;
    }

    [Fiber]
    public static int Sibling(int item)
    {
        var price = Fiber.Async(() => Price(item));
        var doubled = 2 * Fiber.Await(price);
        return doubled;
    }

    public static int Outside(int item) => Fiber.Run(Price, item);

    [Fiber]
    public static int Swallows(int item)
    {
        try
        {
            return Price(item);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine(e.Message);
            return 0;
        }
    }

    [Fiber]
    public static int Blocks(int item)
    {
        Fiber.Yield();
        return Price(item);
    }

    [Fiber]
    public static int Leaks(int item)
    {
        var basket = Ownership.Create(item, _ => { });
        Ownership.Own(basket);
        var price = Price(item);
        Ownership.Release(basket);
        return price;
    }

    public static int Main() => Fiber.Run(Forgets, 1) + Fiber.Run(Sibling, 2) + Fiber.Run(Swallows, 3) + Fiber.Run(Blocks, 4) + Fiber.Run(Leaks, 5);
}
