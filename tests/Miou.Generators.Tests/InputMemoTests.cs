using Microsoft.CodeAnalysis;

namespace Miou.Generators.Tests;

/// <summary>
/// The semantic step keeps each method's input from one compilation to the next while the method's tree and the
/// compilation's declarations are unchanged (Parsing.InputMemo): it must reuse them for an edit inside a body elsewhere,
/// and must not for the changes an input depends on.
/// </summary>
public class InputMemoTests
{
    private static Compilation Edit(Compilation compilation, string path, string marker, string replacement)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var text = tree.GetText().ToString();
        Assert.That(text, Does.Contain(marker));
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(marker, replacement), System.Text.Encoding.UTF8)));
    }

    private static List<object> Inputs(GeneratorDriver driver) =>
        GeneratorHarness.RunResult(driver).TrackedSteps[FiberGenerator.Steps.FiberMethods].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();

    [Test]
    public void An_edit_inside_a_body_of_another_file_reuses_every_input_as_is()
    {
        const string fibers = """
            using Miou;
            public partial class Fibers
            {
                [Fiber] public static int Work(int x) { Fiber.Yield(); return x * 2; }
                [Fiber] public static int Main() => Work(1) + Helper.Value;
            }
            """;
        const string other = """
            public static class Helper
            {
                public static int Value => /*edit*/0;
                public static int Plain() { return /*edit2*/0; }
            }
            """;
        Compilation compilation = GeneratorHarness.Compile(("/src/Fibers.cs", fibers), ("/src/Other.cs", other));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        var before = Inputs(driver);

        compilation = Edit(Edit(compilation, "/src/Other.cs", "/*edit*/0", "1 + 2"), "/src/Other.cs", "/*edit2*/0", "new System.Random().Next()");
        (driver, _, _) = GeneratorHarness.Run(compilation, driver);
        var after = Inputs(driver);

        Assert.That(after, Has.Count.EqualTo(2));
        Assert.That(after.Zip(before).All(pair => ReferenceEquals(pair.First, pair.Second)), Is.True, "the inputs are the previous run's objects");
    }

    [Test]
    public void An_edit_of_a_partial_methods_body_in_another_file_regenerates_its_twin()
    {
        const string definition = """
            using Miou;
            public static partial class P
            {
                [Fiber] public static partial int Work(int x);
            }
            """;
        const string implementation = """
            using Miou;
            public static partial class P
            {
                public static partial int Work(int x) { Fiber.Yield(); return x + /*edit*/0; }
            }
            """;
        var compilation = GeneratorHarness.Compile(("/src/Definition.cs", definition), ("/src/Implementation.cs", implementation));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        Assert.That(GeneratorHarness.TwinsOf(driver, "/src/Implementation.cs"), Does.Contain("return x + /*edit*/0;"));

        (driver, _, _) = GeneratorHarness.Run(Edit(compilation, "/src/Implementation.cs", "/*edit*/0", "41"), driver);
        Assert.That(GeneratorHarness.TwinsOf(driver, "/src/Implementation.cs"), Does.Contain("return x + 41;"));
    }

    [Test]
    public void A_new_overload_in_another_file_is_seen_by_the_callers()
    {
        // A declaration change elsewhere (here an overload that makes the call ambiguous for lookup) recomputes the inputs.
        const string caller = """
            using Miou;
            public partial class Caller
            {
                [Fiber] public static int Main() { Fiber.Yield(); return Util.Compute(1); }
            }
            """;
        const string util = """
            using Miou;
            public partial class Util
            {
                public static int Compute(object x) => 42;
                /*overload*/
            }
            """;
        var compilation = GeneratorHarness.Compile(("/src/Caller.cs", caller), ("/src/Util.cs", util));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        Assert.That(GeneratorHarness.TwinsOf(driver, "/src/Caller.cs"), Does.Contain("return Util.Compute(1);"));

        var edited = Edit(compilation, "/src/Util.cs", "/*overload*/", "[Fiber] public static int Compute(int x) { Fiber.Yield(); return x; }");
        var (again, output, diagnostics) = GeneratorHarness.Run(edited, driver);
        Assert.That(GeneratorHarness.TwinsOf(again, "/src/Caller.cs"), Does.Contain("return await Util.ComputeAsync(1);"));
        Assert.That(diagnostics, Is.Empty);
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void A_nullable_directive_in_a_body_or_the_field_keyword_in_an_accessor_is_a_declaration_change()
    {
        // #nullable inside a body changes the annotations of the declarations after it, which a caller's twin can spell.
        var shape1 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class C { void M() { } string? S() => null; }"));
        var shape2 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class C { void M() {\n#nullable disable\n } string? S() => null; }"));
        var shape3 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class C { void M() { int x = 1; } string? S() => \"\"; }"));
        Assert.That(shape2, Is.Not.EqualTo(shape1));
        Assert.That(shape3, Is.EqualTo(shape1), "bodies are not declarations");

        // An accessor that uses the field keyword declares a backing field.
        var property1 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("struct S { int P { get => 1; } }"));
        var property2 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("struct S { int P { get => 2; } }"));
        var property3 = Parsing.InputMemo.Declarations.Shape(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("struct S { int P { get => field; } }"));
        Assert.That(property2, Is.EqualTo(property1));
        Assert.That(property3, Is.Not.EqualTo(property1));
    }

    private const string ThreeMethods = """
        using Miou;
        public partial class Three
        {
            [Fiber] public static int First(int x) { Fiber.Yield(); return x + /*first*/1; }
            [Fiber] public static string? Second(string? s) { Fiber.Yield(); return s; }
            [Fiber] public static int Third(int x) { Fiber.Yield(); return First(x) + /*third*/3; }
        }
        """;

    /// <summary>The inputs computed afresh: no kept input or resolution, a new compilation of the same trees.</summary>
    private static List<object> FreshInputs(Compilation compilation)
    {
        Parsing.InputMemo.Bypass = true;
        try
        {
            return Inputs(GeneratorHarness.Run(compilation.Clone()).Driver);
        }
        finally
        {
            Parsing.InputMemo.Bypass = false;
        }
    }

    [Test]
    public void An_edit_inside_one_body_reuses_the_inputs_of_the_other_methods_of_its_file()
    {
        // The file gets a new tree, so every method a new node: the others' inputs come back by their unchanged text.
        Compilation compilation = GeneratorHarness.Compile(("/src/Three.cs", ThreeMethods));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        var before = Inputs(driver);

        compilation = Edit(compilation, "/src/Three.cs", "/*first*/1", "/*first*/2"); // same length: nothing moves
        (driver, _, _) = GeneratorHarness.Run(compilation, driver);
        var after = Inputs(driver);
        Assert.That(after[0], Is.Not.EqualTo(before[0]));
        Assert.That(ReferenceEquals(after[1], before[1]) && ReferenceEquals(after[2], before[2]), Is.True, "the other methods' inputs are the previous run's objects");
        Assert.That(after, Is.EqualTo(FreshInputs(compilation)));

        compilation = Edit(compilation, "/src/Three.cs", "/*first*/2", "/*first*/2 + 40\n            "); // moves the next methods
        (driver, _, _) = GeneratorHarness.Run(compilation, driver);
        var moved = Inputs(driver);
        Assert.That(moved, Is.EqualTo(FreshInputs(compilation)), "reused inputs get their new positions");
        Assert.That(((Model.FiberMethodInput)moved[2]).Method!.Position.BodyLine, Is.EqualTo(((Model.FiberMethodInput)after[2]).Method!.Position.BodyLine + 1));
        Assert.That(GeneratorHarness.TwinsOf(driver, "/src/Three.cs"), Does.Contain("#line 7 \"/src/Three.cs\""));
    }

    [Test]
    public void A_directive_moved_from_one_body_to_another_recomputes_the_methods_between()
    {
        // The declarations are the same (same directives, same tokens outside bodies), but Second's #nullable context is not.
        var withDirective = ThreeMethods.Replace("/*first*/1;", "/*first*/1;\n#nullable disable\n");
        Compilation compilation = GeneratorHarness.Compile(("/src/Three.cs", withDirective));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        Assert.That(((Model.FiberMethodInput)Inputs(driver)[1]).Method!.Declaration.NullableEnabled, Is.False);

        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Three.cs");
        var moved = withDirective.Replace("/*first*/1;\n#nullable disable\n", "/*first*/1;").Replace("/*third*/3;", "/*third*/3;\n#nullable disable\n");
        compilation = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(moved, System.Text.Encoding.UTF8)));
        Assert.That(Parsing.InputMemo.Declarations.Shape(compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Three.cs")), Is.EqualTo(Parsing.InputMemo.Declarations.Shape(tree)));
        (driver, _, _) = GeneratorHarness.Run(compilation, driver);
        Assert.That(((Model.FiberMethodInput)Inputs(driver)[1]).Method!.Declaration.NullableEnabled, Is.True);
        Assert.That(Inputs(driver), Is.EqualTo(FreshInputs(compilation)));
    }

    [Test]
    public void Methods_of_the_same_text_in_different_types_of_an_edited_file_keep_their_own_inputs()
    {
        // Same text, same directives before them: only where they are declared tells them apart.
        const string twins = """
            using Miou;
            namespace N
            {
                using System.Text;
                public partial class A { [Fiber] public static int Same() { Fiber.Yield(); return 1; } }
            }
            namespace N
            {
                using System.IO;
                public partial class A { [Fiber] public static int Other() { Fiber.Yield(); return /*edit*/0; } }
                public partial class B { [Fiber] public static int Same() { Fiber.Yield(); return 1; } }
            }
            namespace N
            {
                using System.Linq;
                public partial class B { public static int Plain() => 0; }
            }
            """;
        Compilation compilation = GeneratorHarness.Compile(("/src/Twins.cs", twins));
        var (driver, _, _) = GeneratorHarness.Run(compilation);
        compilation = Edit(compilation, "/src/Twins.cs", "/*edit*/0", "/*edit*/12345");
        (driver, _, _) = GeneratorHarness.Run(compilation, driver);
        Assert.That(Inputs(driver), Is.EqualTo(FreshInputs(compilation)));
    }

    [Test]
    public void Two_builds_in_one_compiler_server_process_compare_options_without_their_resolvers()
    {
        // The compiler server (the default for `dotnet build`) runs build after build in one process, so the memo meets a
        // previous build's compilation. Each build has its own command-line MetadataReferenceResolver, whose Equals
        // throws NotImplementedException (Roslyn's CommonCompiler.LoggingMetadataFileReferenceResolver): comparing the two
        // compilations' options with CompilationOptions.Equals made every [Fiber] method of the second build fail with
        // MIOUG099. Two fresh compilations of the same files, each with its own such resolver, are those two builds.
        const string fibers = """
            using Miou;
            public static partial class Fibers
            {
                [Fiber] public static int Work(int x) { Fiber.Yield(); return x * 2; }
            }
            """;
        static Compilation Build()
        {
            var compilation = GeneratorHarness.Compile(("/src/Fibers.cs", fibers));
            return compilation.WithOptions(compilation.Options.WithMetadataReferenceResolver(new CommandLineResolver()));
        }

        foreach (var build in new[] { "first", "second" })
        {
            var (driver, _, diagnostics) = GeneratorHarness.Run(Build());
            Assert.That(diagnostics, Is.Empty, $"the {build} build's generator diagnostics");
            Assert.That(GeneratorHarness.TwinsOf(driver, "/src/Fibers.cs"), Does.Contain("Work"), $"the {build} build's twin");
        }
    }

    /// <summary>Like the command-line compiler's resolver: equality is not implemented, and says so by throwing.</summary>
    private sealed class CommandLineResolver : MetadataReferenceResolver
    {
        public override bool Equals(object? other) => throw new NotImplementedException();

        public override int GetHashCode() => throw new NotImplementedException();

        public override System.Collections.Immutable.ImmutableArray<PortableExecutableReference> ResolveReference(
            string reference, string? baseFilePath, MetadataReferenceProperties properties) => [];
    }
}
