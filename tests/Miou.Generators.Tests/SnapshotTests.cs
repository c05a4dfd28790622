namespace Miou.Generators.Tests;

/// <summary>
/// The generated code of representative inputs, compared with the committed files under Snapshots/.
/// Run with UPDATE_SNAPSHOTS=1 to rewrite them, then review the diff.
/// </summary>
public class SnapshotTests
{
    private static readonly string s_directory = Path.Combine(GeneratorHarness.SourceDirectory(), "Snapshots");

    [TestCase(nameof(Sources.Statements))]
    [TestCase(nameof(Sources.Members))]
    [TestCase(nameof(Sources.Entry))]
    [TestCase(nameof(Sources.EntryWithArguments))]
    public void Generated_code_matches_the_snapshot(string name)
    {
        var source = (string)typeof(Sources).GetField(name)!.GetValue(null)!;
        var (driver, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        Assert.That(diagnostics, Is.Empty);
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning), Is.Empty);

        var generated = GeneratorHarness.RunResult(driver).GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var update = Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1";
        var existing = Directory.Exists(s_directory)
            ? Directory.GetFiles(s_directory, name + ".*.verified.txt").ToDictionary(f => Path.GetFileName(f), File.ReadAllText)
            : [];
        if (update)
        {
            Directory.CreateDirectory(s_directory);
            foreach (var stale in existing.Keys)
            {
                File.Delete(Path.Combine(s_directory, stale));
            }

            foreach (var (hint, text) in generated)
            {
                File.WriteAllText(Path.Combine(s_directory, SnapshotName(name, hint)), text);
            }

            Assert.Pass("snapshots updated");
        }

        Assert.That(existing.Keys, Is.EquivalentTo(generated.Keys.Select(h => SnapshotName(name, h))), "generated files (UPDATE_SNAPSHOTS=1 to refresh)");
        foreach (var (hint, text) in generated)
        {
            Assert.That(text.ReplaceLineEndings(), Is.EqualTo(existing[SnapshotName(name, hint)].ReplaceLineEndings()), hint);
        }
    }

    private static string SnapshotName(string name, string hint) => name + "." + hint.Replace(".g.cs", "") + ".verified.txt";
}
