using Miou.Analyzers.Tests.Infrastructure;
using static Miou.Analyzers.Tests.Infrastructure.Snippets;

namespace Miou.Analyzers.Tests;

/// <summary>MIOU0006: an owned resource neither disowned, released nor transferred on some path of a normally-returning fiber.</summary>
public sealed class ResourceLeakedTests
{
    public static IEnumerable<TestCaseData> MustReport()
    {
        yield return Case("Owned and forgotten", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); }
            """);
        yield return Case("Released on one branch only", """
            [Fiber] void M(bool c) { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); if (c) Ownership.Release(r); }
            """);
        yield return Case("Early return", """
            [Fiber] int M(bool c) { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); if (c) return 0; Ownership.Disown(r); return 1; }
            """);
        yield return Case("Only checked", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); Ownership.Check(r); }
            """);
        yield return Case("Child body owns a captured resource and returns", """
            [Fiber] void M(Resource r) { var p = Fiber.Async(() => { {|MIOU0006:Ownership.Own|}(r); return 1; }); Fiber.Await(p); }
            """);
        yield return Case("Child body owns one of its own", """
            [Fiber] void M() { Fiber.Await(Fiber.Async(() => { var r = Ownership.Create(2, _ => { }); {|MIOU0006:Ownership.Own|}(r); })); }
            """);
        yield return Case("Loop breaks before the release", """
            [Fiber] void M(int n) { for (var i = 0; i < n; i++) { var r = Ownership.Create(i, _ => { }); {|MIOU0006:Ownership.Own|}(r); if (i == 2) break; Ownership.Release(r); } }
            """);
        yield return Case("Caught exception skips the release", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); try { Console.WriteLine(); } catch (System.IO.IOException) { return; } Ownership.Release(r); }
            """);
        yield return Case("Released only inside a loop that may not run", """
            [Fiber] void M(int n) { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); for (var i = 0; i < n; i++) { Ownership.Release(r); break; } }
            """);
        yield return Case("Two resources, one released", """
            [Fiber] void M() { var a = Ownership.Create(1, _ => { }); var b = Ownership.Create(2, _ => { }); Ownership.Own(a); {|MIOU0006:Ownership.Own|}(b); Ownership.Release(a); }
            """);
        yield return Case("Owned in a local function of a [Fiber] method and forgotten", """
            [Fiber] void M() { Local(); void Local() { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); } }
            """);
        yield return Case("Switch arm forgets it", """
            [Fiber] void M(int k) { var r = Ownership.Create(1, _ => { }); {|MIOU0006:Ownership.Own|}(r); switch (k) { case 0: Ownership.Release(r); break; case 1: break; default: Ownership.Disown(r); break; } }
            """);
    }

    public static IEnumerable<TestCaseData> MustNotReport()
    {
        yield return Case("Released", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); Ownership.Release(r); }
            """);
        yield return Case("Disowned", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); Ownership.Disown(r); }
            """);
        yield return Case("Transferred by a child", """
            [Fiber] void M(Resource r) { Fiber.Await(Fiber.Async(() => { Ownership.Own(r); Ownership.Transfer(r); })); }
            """);
        yield return Case("Released in finally", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); try { Fiber.Yield(); } finally { Ownership.Release(r); } }
            """);
        yield return Case("Thrown: a failing fiber's resources are finalised", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); throw new InvalidOperationException(); }
            """);
        yield return Case("Given to a child", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); var p = Fiber.Async(() => { Ownership.Release(r); }, give: [r]); Fiber.Await(p); }
            """);
        yield return Case("Parameter owned inline: the caller may release it", """
            [Fiber] void Acquire(Resource r) { Ownership.Own(r); }
            """);
        yield return Case("Returned to the caller of an inline [Fiber] method", """
            [Fiber] Resource<int> Open() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); return r; }
            """);
        yield return Case("Handed to a helper", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); Close(r); }
            [Fiber] void Close(Resource r) => Ownership.Release(r);
            """);
        yield return Case("Stored in a field", """
            Resource? _r;
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); _r = r; }
            """);
        yield return Case("Released through an alias", """
            [Fiber] void M() { var r = Ownership.Create(1, _ => { }); var same = r; Ownership.Own(r); Ownership.Release(same); }
            """);
        yield return Case("Released on every branch", """
            [Fiber] void M(bool c) { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); if (c) Ownership.Release(r); else Ownership.Disown(r); }
            """);
        yield return Case("Local function releases what it owns", """
            [Fiber] void M() { Local(); void Local() { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); Ownership.Release(r); } }
            """);
        yield return Case("Local function returns what it owns to its caller, which runs it inline and releases it", """
            [Fiber] void M() { var r = Open(); Ownership.Release(r); Resource<int> Open() { var o = Ownership.Create(1, _ => { }); Ownership.Own(o); return o; } }
            """);
        yield return Case("Not a fiber: MIOU0003's business", """
            void M(Resource r) { Ownership.Own(r); }
            """);
    }

    [TestCaseSource(nameof(MustReport))]
    public void Reports(string source) => Verify<ResourceLeakedAnalyzer>.Diagnostics(source);

    [TestCaseSource(nameof(MustNotReport))]
    public void DoesNotReport(string source) => Verify<ResourceLeakedAnalyzer>.Diagnostics(source);

    [Test]
    public void Fix_releases_the_resource_at_the_end_of_its_block() => Verify<ResourceLeakedAnalyzer>.Fix<ResourceLeakedCodeFix>(
        """
        public partial class C
        {
            [Fiber] void M()
            {
                var r = Ownership.Create(1, _ => { });
                Ownership.Own(r);
                Fiber.Yield();
            }
        }
        """,
        """
        public partial class C
        {
            [Fiber] void M()
            {
                var r = Ownership.Create(1, _ => { });
                Ownership.Own(r);
                Fiber.Yield();
                Ownership.Release(r);
            }
        }
        """,
        ResourceLeakedCodeFix.ReleaseTitle);

    [Test]
    public void Fix_disowns_the_resource_before_the_final_return() => Verify<ResourceLeakedAnalyzer>.Fix<ResourceLeakedCodeFix>(
        """
        public partial class C
        {
            [Fiber] int M()
            {
                var r = Ownership.Create(1, _ => { });
                Ownership.Own(r);
                Fiber.Yield();
                return 2;
            }
        }
        """,
        """
        public partial class C
        {
            [Fiber] int M()
            {
                var r = Ownership.Create(1, _ => { });
                Ownership.Own(r);
                Fiber.Yield();
                Ownership.Disown(r);
                return 2;
            }
        }
        """,
        ResourceLeakedCodeFix.DisownTitle);

    [Test]
    public void Fix_releases_a_resource_a_child_owns() => Verify<ResourceLeakedAnalyzer>.Fix<ResourceLeakedCodeFix>(
        """
        public partial class C
        {
            [Fiber] void M(Resource r) => Fiber.Await(Fiber.Async(() =>
            {
                Ownership.Own(r);
                return 1;
            }));
        }
        """,
        """
        public partial class C
        {
            [Fiber] void M(Resource r) => Fiber.Await(Fiber.Async(() =>
            {
                Ownership.Own(r);
                Ownership.Release(r);
                return 1;
            }));
        }
        """,
        ResourceLeakedCodeFix.ReleaseTitle);

    [Test]
    public void No_fix_for_a_resource_released_on_some_paths_a_second_release_would_fail() => Verify<ResourceLeakedAnalyzer>.NoFix<ResourceLeakedCodeFix>(
        "public partial class C { [Fiber] void M(bool c) { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); if (c) Ownership.Release(r); } }");

    [Test]
    public void No_fix_for_a_resource_given_to_a_child_on_some_paths() => Verify<ResourceLeakedAnalyzer>.NoFix<ResourceLeakedCodeFix>(
        "public partial class C { [Fiber] void M(bool c) { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); if (c) Fiber.Await(Fiber.Async(() => 1, give: [r])); } }");

    [Test]
    public void No_fix_for_a_resource_left_by_an_early_return() => Verify<ResourceLeakedAnalyzer>.NoFix<ResourceLeakedCodeFix>(
        "public partial class C { [Fiber] int M(bool c) { var r = Ownership.Create(1, _ => { }); Ownership.Own(r); if (c) return 0; Console.WriteLine(); return 1; } }");
}
