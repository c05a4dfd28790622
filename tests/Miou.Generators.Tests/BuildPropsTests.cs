using System.Xml.Linq;

namespace Miou.Generators.Tests;

/// <summary>The build props that ship with the generator give consumers what they need.</summary>
public class BuildPropsTests
{
    private static readonly string s_props = Path.Combine(GeneratorHarness.SourceDirectory(), "..", "..", "Miou.Generators", "build", "Miou.Generators.props");

    private static string Property(string name) =>
        XDocument.Load(s_props).Descendants(name).Single().Value;

    [Test]
    public void Props_list_the_interceptors_namespace_the_generator_uses()
    {
        Assert.That(Property("InterceptorsNamespaces").Split(';'), Does.Contain("Miou.Generated"));
        var generated = GeneratorHarness.RunResult(GeneratorHarness.Run(GeneratorHarness.Compile(Sources.Entry)).Driver)
            .GeneratedSources.Single(s => s.HintName == Emitting.InterceptorEmitter.HintName).SourceText.ToString();
        Assert.That(generated, Does.Contain("namespace Miou.Generated"));
    }

    [Test]
    public void Props_make_a_generator_built_against_a_newer_Roslyn_a_build_failure()
    {
        // CS9057: the analyzer references a newer compiler than the one running; the compiler then does not load it.
        Assert.That(Property("WarningsAsErrors").Split(';'), Does.Contain("CS9057"));
    }
}
