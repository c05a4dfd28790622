using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0004: a catch inside a fiber that swallows CancelledException.</summary>
public sealed class SwallowedCancellationTests
{
    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Catches CancelledException and carries on", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch (CancelledException)|} { Console.WriteLine("cancelled"); } }
            """);
        yield return Case("Catches Exception", """
            [Fiber] void M(Promise<int> p) { try { Fiber.Await(p); } {|MIOU0004:catch (Exception e)|} { Console.WriteLine(e); } }
            """);
        yield return Case("Catch-all", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch|} { } }
            """);
        yield return Case("Catches MiouException", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch (MiouException)|} { } }
            """);
        yield return Case("Returns from the handler", """
            [Fiber] int M() { try { Fiber.Yield(); return 1; } {|MIOU0004:catch (Exception)|} { return 0; } }
            """);
        yield return Case("Rethrows on one path only", """
            [Fiber] void M(bool c) { try { Fiber.Yield(); } {|MIOU0004:catch (Exception)|} { if (c) throw; } }
            """);
        yield return Case("Breaks out of a loop", """
            [Fiber] void M() { while (true) { try { Fiber.Yield(); } {|MIOU0004:catch (Exception)|} { break; } } }
            """);
        yield return Case("In a fiber body", """
            [Fiber] void M() { Fiber.Await(Fiber.Async(() => { try { Fiber.Yield(); } {|MIOU0004:catch (CancelledException)|} { } })); }
            """);
        yield return Case("Around a [Fiber] call", """
            [Fiber] void Work() => Fiber.Yield();
            [Fiber] void M() { try { Work(); } {|MIOU0004:catch (Exception)|} { } }
            """);
        yield return Case("In a hand-written async fiber", """
            async Fiber M() { try { await Fiber.YieldAsync(); } {|MIOU0004:catch (Exception)|} { } }
            """);
        yield return Case("The second clause is the broad one", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (InvalidOperationException) { } {|MIOU0004:catch (Exception)|} { } }
            """);
        yield return Case("Around a lock of a fiber mutex", """
            [Fiber] void M(FiberMutex m) { try { m.Lock(); m.Unlock(); } {|MIOU0004:catch|} { Console.WriteLine(); } }
            """);
        yield return Case("Filter that lets cancellation through: it is not an OperationCanceledException", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch (Exception e)|} when (e is not OperationCanceledException) { } }
            """);
        yield return Case("Negated type test in the filter", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch (Exception e)|} when (!(e is OperationCanceledException) && true) { } }
            """);
        yield return Case("Filter that is always true", """
            [Fiber] void M() { try { Fiber.Yield(); } {|MIOU0004:catch|} when (true) { } }
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("Rethrows", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (CancelledException) { Console.WriteLine(); throw; } }
            """);
        yield return Case("Wraps and throws", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) { throw new InvalidOperationException("wrapped", e); } }
            """);
        yield return Case("Filter excludes cancellation", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) when (e is not CancelledException) { } }
            """);
        yield return Case("Filter that excludes cancellation among other types", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) when (e is not (OperationCanceledException or CancelledException)) { } }
            """);
        yield return Case("Filter the analyzer cannot decide", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) when (e.Message.Length > 0) { } }
            """);
        yield return Case("Earlier clause rethrows cancellation", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (CancelledException) { throw; } catch (Exception) { } }
            """);
        yield return Case("Type test rethrows cancellation", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) { if (e is CancelledException) throw; Console.WriteLine(e); } }
            """);
        yield return Case("Narrower exception", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (InvalidOperationException) { } }
            """);
        yield return Case("No suspension point in the try", """
            [Fiber] int M(string s) { try { return int.Parse(s); } catch (Exception) { return 0; } }
            """);
        yield return Case("Not a fiber", """
            void M() { try { Thread.Sleep(1); } catch (Exception) { } }
            """);
        yield return Case("Suspension only inside a spawned child: its exceptions do not reach here", """
            [Fiber] void M() { Promise<int>? p = null; try { p = Fiber.Async(() => { Fiber.Yield(); return 1; }); } catch (ArgumentException) { } if (p is not null) Fiber.Await(p); }
            """);
        yield return Case("Plain lambda inside a fiber", """
            [Fiber] void M() { Action a = () => { try { Console.WriteLine(); } catch { } }; a(); Fiber.Yield(); }
            """);
        yield return Case("Handler ends in a throw helper", """
            [Fiber] void M() { try { Fiber.Yield(); } catch (Exception e) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e); } }
            """);
        yield return Case("Outcome observed as a value instead", """
            [Fiber] int M(Promise<int> p) { var r = Fiber.AwaitResult(p); return r.IsOk ? r.Value : 0; }
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<SwallowedCancellationAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<SwallowedCancellationAnalyzer>.Diagnostics(source);

    [Test]
    public void Fix_adds_a_rethrow_to_a_CancelledException_handler() => Verify<SwallowedCancellationAnalyzer>.Fix<SwallowedCancellationCodeFix>(
        """
        public partial class C
        {
            [Fiber] void M()
            {
                try
                {
                    Fiber.Yield();
                }
                catch (CancelledException)
                {
                    Console.WriteLine("cancelled");
                }
            }
        }
        """,
        """
        public partial class C
        {
            [Fiber] void M()
            {
                try
                {
                    Fiber.Yield();
                }
                catch (CancelledException)
                {
                    Console.WriteLine("cancelled");
                    throw;
                }
            }
        }
        """,
        SwallowedCancellationCodeFix.Title);

    [TestCase("catch (Exception e)", TestName = "Fix inserts a rethrowing clause before a broad catch")]
    [TestCase("catch (Exception e) when (e is not OperationCanceledException)", TestName = "Fix inserts a rethrowing clause before a filter that lets cancellation in")]
    public void Fix_inserts_a_rethrowing_clause(string clause) => Verify<SwallowedCancellationAnalyzer>.Fix<SwallowedCancellationCodeFix>(
        $$"""
        public partial class C
        {
            [Fiber] void M()
            {
                try
                {
                    Fiber.Yield();
                }
                {{clause}}
                {
                    Console.WriteLine(e);
                }
            }
        }
        """,
        $$"""
        public partial class C
        {
            [Fiber] void M()
            {
                try
                {
                    Fiber.Yield();
                }
                catch (CancelledException)
                {
                    throw;
                }
                {{clause}}
                {
                    Console.WriteLine(e);
                }
            }
        }
        """,
        SwallowedCancellationCodeFix.Title);
}
