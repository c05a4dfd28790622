namespace Miou.Generators.Tests;

/// <summary>Representative [Fiber] code, shared by the snapshot tests and the compile-and-run tests.</summary>
internal static class Sources
{
    public const string Statements = """
        using Miou;

        namespace Samples;

        public static partial class Statements
        {
            [Fiber]
            public static int Sum(int[] xs)
            {
                var a = Fiber.Async(() => Work(xs[..^1]));
                var b = Fiber.Async(() => Work(xs[^1..]));
                return Fiber.Await(a) + Fiber.Await(b);
            }

            [Fiber]
            static int Work(int[] xs)
            {
                var total = 0;
                foreach (var x in xs)
                {
                    Fiber.Yield();
                    total += x;
                }

                return total;
            }

            [Fiber]
            static int Twice(int x) => Work([x, x]);

            [Fiber]
            public static string Control(int n)
            {
                var log = new List<string>();
                using (var resource = new Resource(log))
                {
                    for (var i = 0; i < n; i++)
                    {
                        log.Add($"step {i} -> {Twice(i)}");
                    }
                }

                try
                {
                    Fiber.Yield();
                    throw new InvalidOperationException("boom");
                }
                catch (InvalidOperationException e)
                {
                    Fiber.Yield();
                    log.Add(e.Message);
                }
                finally
                {
                    Fiber.Yield();
                    log.Add("finally");
                }

                var (q, r) = (Twice(n), n % 2);
                var kind = q switch { 0 => "zero", > 10 => "big", _ => "small" };
                var k = 0;
                while (k < 2) { k += Twice(1) > 0 ? 1 : 0; }
                do { k--; } while (k > 0);
                object boxed = q;
                if (boxed is int { } unboxed && unboxed == Twice(n)) log.Add("pattern");
                var maybe = n > 0 ? new Holder() : null;
                log.Add($"{kind} {r} {maybe?.Get(n)} {Local(2)}");
                return string.Join(",", log);

                int Local(int y)
                {
                    Fiber.Yield();
                    return y * 10;
                }
            }

            sealed class Resource(List<string> log) : IDisposable
            {
                public void Dispose() => log.Add("disposed");
            }
        }

        public partial class Holder
        {
            [Fiber]
            public int Get(int n)
            {
                Fiber.Yield();
                return n + 100;
            }
        }
        """;

    public const string Members = """
        using Miou;

        namespace Samples.Members;

        public partial interface IShape
        {
            [Fiber]
            double Area();
        }

        public abstract partial class Shape : IShape
        {
            [Fiber]
            public abstract double Area();

            [Fiber]
            public virtual string Describe()
            {
                Fiber.Yield();
                return "shape of area " + Area();
            }
        }

        public partial class Square(double side) : Shape
        {
            [Fiber]
            public override double Area()
            {
                Fiber.Yield();
                return side * side;
            }

            [Fiber]
            public override string Describe() => "square, " + base.Describe();
        }

        public partial record Box<T>(T Value)
        {
            [Fiber]
            public TOut Map<TOut>(Func<T, TOut> f) where TOut : notnull
            {
                Fiber.Yield();
                return f(Value);
            }
        }

        public static partial class Extensions
        {
            [Fiber]
            public static string Shout(this string text)
            {
                Fiber.Yield();
                return text.ToUpperInvariant();
            }
        }

        public static partial class Use
        {
            [Fiber]
            public static string All()
            {
                IShape shape = new Square(3);
                var box = new Box<int>(4);
                return shape.Area() + " " + new Square(2).Describe() + " " + box.Map(v => v * 2) + " " + "hi".Shout();
            }
        }
        """;

    public const string Entry = """
        using Miou;

        namespace Samples.Entry;

        public partial class Program
        {
            [Fiber]
            public static int Answer()
            {
                var p = Fiber.Async(() => 21);
                return Fiber.Await(p) * 2;
            }

            [Fiber]
            private static void Quiet() => Fiber.Yield();

            [Fiber]
            private int Instance() => Answer() + Offset;

            private int Offset { get; } = 1;

            public static int Main()
            {
                Fiber.Run(Quiet);
                return Fiber.Run(Answer) + Fiber.Run(new Program().Instance, new RunOptions { Policy = SchedulingPolicy.Fifo });
            }
        }
        """;

    public const string EntryWithArguments = """
        using Miou;

        namespace Samples.Arguments;

        public partial class Program
        {
            [Fiber]
            public static int Twice(int x)
            {
                var p = Fiber.Async(() => x);
                return Fiber.Await(p) * 2;
            }

            [Fiber]
            public static string Join(string a, int n)
            {
                Fiber.Yield();
                return a + n;
            }

            [Fiber]
            private static void Record(List<string> log) { Fiber.Yield(); log.Add("one"); }

            [Fiber]
            private static void RecordBoth(List<string> log, string what) { Fiber.Yield(); log.Add(what); }

            [Fiber]
            private string Tag(string text) { Fiber.Yield(); return _prefix + text; }

            // Takes a RunOptions as an ordinary argument: it must reach the method, not the runtime.
            [Fiber]
            public static int Quanta(int x, RunOptions options) { Fiber.Yield(); return x + (options.Quanta ?? 0); }

            private readonly string _prefix = "#";

            public static string Main()
            {
                var fifo = new RunOptions { Policy = SchedulingPolicy.Fifo };
                var log = new List<string>();
                Fiber.Run(Record, log);
                Fiber.Run(RecordBoth, log, "two");
                Fiber.Run(RecordBoth, log, "three", fifo);
                var twice = Fiber.Run(Twice, 21) + Fiber.Run(Twice, 1, fifo);
                var joined = Fiber.Run(Join, "n=", 7) + Fiber.Run(Join, ",m=", 8, fifo);
                var tagged = Fiber.Run(new Program().Tag, "t");
                var quanta = Fiber.Run(Quanta, 1, new RunOptions { Quanta = 3 });
                return string.Join(" ", log) + " " + twice + " " + joined + " " + tagged + " " + quanta;
            }
        }
        """;
}
