using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0003: a direct-style suspending call, or a call to a [Fiber] method, outside a fiber.</summary>
public sealed class SuspendOutsideFiberTests
{
    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Yield in a plain method", """
            void M() { {|MIOU0003:Fiber.Yield|}(); }
            """);
        yield return Case("Await in a plain method", """
            int M(Promise<int> p) => {|MIOU0003:Fiber.Await|}(p);
            """);
        yield return Case("Spawn in a plain method, reported once", """
            void M() { {|MIOU0003:Fiber.Async|}(() => { Fiber.Yield(); return 1; }); }
            """);
        yield return Case("[Fiber] method called from a plain method", """
            [Fiber] int Work() => 1;
            int M() => {|MIOU0003:Work|}();
            """);
        yield return Case("Lambda given to Fiber.Run calls a [Fiber] method", """
            [Fiber] int Work() => 1;
            int M() => Fiber.Run(() => {|MIOU0003:Work|}());
            """);
        yield return Case("Non-fiber-body lambda inside a [Fiber] method", """
            [Fiber] int M(List<Promise<int>> ps) => ps.Select(p => {|MIOU0003:Fiber.Await|}(p)).Sum();
            """);
        yield return Case("Local function inside a plain method", """
            void M() { Local(); void Local() => {|MIOU0003:Fiber.Yield|}(); }
            """);
        yield return Case("[Fiber] local function called from a plain method", """
            void M() { {|MIOU0003:Local|}(); [Fiber] void Local() => Fiber.Yield(); }
            """);
        yield return Case("Hand-written async fiber uses a direct-style call", """
            async Fiber M() { {|MIOU0003:Fiber.Yield|}(); await Fiber.YieldAsync(); }
            """);
        yield return Case("Ownership in a plain method", """
            void M(Resource r) { {|MIOU0003:Ownership.Own|}(r); }
            """);
        yield return Case("Mutex lock in a constructor", """
            public C(FiberMutex m) { {|MIOU0003:m.Lock|}(); }
            """);
        yield return Case("Delegate to a [Fiber] method", """
            [Fiber] int Work() => 1;
            Func<int> M() => {|MIOU0003:Work|};
            """);
        yield return Case("Property getter", """
            int P => {|MIOU0003:Fiber.Await|}({|MIOU0003:Fiber.Async|}(() => 1));
            """);
        yield return Case("Lazy computation outside a fiber", """
            FiberLazy<int> M() => FiberLazy<int>.FromFunc(() => { {|MIOU0003:Fiber.Yield|}(); return 1; });
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("In a [Fiber] method", """
            [Fiber] void M() { Fiber.Yield(); }
            """);
        yield return Case("Local function of a [Fiber] method (the generator makes it a fiber)", """
            [Fiber] void M() { Local(); void Local() => Fiber.Yield(); }
            """);
        yield return Case("[Fiber] local function of a [Fiber] method", """
            [Fiber] int M() { return Local() + 1; [Fiber] int Local() { Fiber.Yield(); return 1; } }
            """);
        yield return Case("Local function nested in a local function of a [Fiber] method", """
            [Fiber] int M() { return Outer(); int Outer() { return Inner() + 1; int Inner() { Fiber.Yield(); return 1; } } }
            """);
        yield return Case("Local function in a fiber body", """
            [Fiber] int M() { var p = Fiber.Async(() => { Local(); return 1; void Local() => Fiber.Yield(); }); return Fiber.Await(p); }
            """);
        yield return Case("In a fiber body", """
            [Fiber] int M() => Fiber.Await(Fiber.Async(() => { Fiber.Yield(); return 1; }));
            """);
        yield return Case("Nested fiber bodies", """
            [Fiber] int M() => Fiber.Await(Fiber.Async(() => Fiber.Await(Fiber.Async(() => { Fiber.Yield(); return 1; }))));
            """);
        yield return Case("Fiber.Run with a [Fiber] method group: the entry point", """
            [Fiber] static int Work() => 1;
            static int M() => Fiber.Run(Work);
            """);
        yield return Case("[Fiber] method group as a fiber body", """
            [Fiber] int Work() => 1;
            [Fiber] int M() => Fiber.Await(Fiber.Async(Work));
            """);
        yield return Case("Hand-written fiber uses the awaitable counterpart", """
            async Fiber<int> M(Promise<int> p) { await Fiber.YieldAsync(); return await Fiber.AwaitAsync(p); }
            """);
        yield return Case("Non-suspending direct-style call", """
            FiberLazy<int> M() => FiberLazy<int>.FromFunc(() => 1);
            """);
        yield return Case("Creating a resource is not a fiber operation", """
            Resource<int> M() => Ownership.Create(1, _ => { });
            """);
        yield return Case("Lazy computation in a [Fiber] method", """
            [Fiber] int M() { var l = FiberLazy<int>.FromFunc(() => { Fiber.Yield(); return 1; }); return l.Force(); }
            """);
        yield return Case("Protect body in a [Fiber] method", """
            [Fiber] void M() => Fiber.Protect(() => Fiber.Yield(), @finally: _ => Console.WriteLine());
            """);
        yield return Case("nameof a [Fiber] method", """
            [Fiber] int Work() => 1;
            string M() => nameof(Work);
            """);
        yield return Case("Promise state read outside a fiber", """
            bool M(Promise<int> p) => p.State == PromiseState.Running;
            """);
        yield return Case("Recursive [Fiber] method", """
            [Fiber] int Count(int n) => n == 0 ? 0 : 1 + Count(n - 1);
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<SuspendOutsideFiberAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<SuspendOutsideFiberAnalyzer>.Diagnostics(source);
}
