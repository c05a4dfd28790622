using Microsoft.CodeAnalysis;

namespace Miou.Generators.Tests;

/// <summary>#line directives map the twin to the user's file: stack traces and compiler errors point at the user's lines.</summary>
public class LineMappingTests
{
    private const string Thrower = """
        using Miou;
        public static partial class P
        {
            [Fiber]
            public static int Main()
            {
                var p = Fiber.Async(() => 1);
                Fiber.Await(p);
                Fiber.Yield();
                throw new InvalidOperationException("from line 10");
            }

            public static int Run() => Fiber.Run(Main);
        }
        """;

    [Test]
    public void An_exception_thrown_in_a_fiber_method_reports_the_users_file_and_line()
    {
        var assembly = GeneratorHarness.GenerateAndLoad(Thrower);
        var e = Assert.Throws<InvalidOperationException>(() => GeneratorHarness.Invoke(assembly, "P", "Run"));
        Assert.That(e!.Message, Is.EqualTo("from line 10"));
        Assert.That(e.StackTrace, Does.Contain(GeneratorHarness.UserFile + ":line 10"));
    }

    [Test]
    public void A_compiler_error_in_the_twin_points_at_the_users_line()
    {
        // A ref local used across a suspension is legal in the direct-style method and an error only in the async twin.
        var source = """
            using Miou;
            public static partial class P
            {
                [Fiber]
                public static int Main(int[] xs)
                {
                    ref int first = ref xs[0];
                    Fiber.Yield();
                    return first;
                }
            }
            """;
        var (_, output, _) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        // Errors of the async lowering (a ref local across an await) are reported by Emit, not by GetDiagnostics.
        var errors = output.Emit(Stream.Null).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Not.Empty, () => string.Join("\n", output.SyntaxTrees.Select(t => t.ToString())));
        foreach (var error in errors)
        {
            var mapped = error.Location.GetMappedLineSpan();
            Assert.That(mapped.Path, Is.EqualTo(GeneratorHarness.UserFile), error.ToString());
            Assert.That(mapped.StartLinePosition.Line + 1, Is.AnyOf(7, 9), error.ToString());
        }
    }
}
