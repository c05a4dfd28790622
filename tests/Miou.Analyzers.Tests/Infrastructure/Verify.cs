using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>Checks an analyzer's diagnostics against the spans marked in a snippet, and a code fix's output.</summary>
internal static class Verify<TAnalyzer> where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>The analyzer reports exactly the marked spans (none when nothing is marked).</summary>
    public static void Diagnostics(string markup)
    {
        var analyzer = new TAnalyzer();
        var (source, expected) = Markup.Parse(markup);
        var compilation = Compiler.Compile(source);
        Compiler.AssertCompiles(compilation);
        var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).ToHashSet();
        var defaultId = analyzer.SupportedDiagnostics[0].Id;
        var actual = Compiler.Analyze(compilation, analyzer)
            .Where(d => ids.Contains(d.Id))
            .Select(d => Describe(source, d.Id, d.Location.SourceSpan))
            .Order(StringComparer.Ordinal)
            .ToList();
        var wanted = expected
            .Select(e => Describe(source, e.Id ?? defaultId, e.Span))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.That(actual, Is.EqualTo(wanted), () => "Diagnostics differ.\nExpected:\n  " + string.Join("\n  ", wanted) + "\nActual:\n  " + string.Join("\n  ", actual));
    }

    /// <summary>
    /// Applies the fix titled <paramref name="title"/> to the first diagnostic of the snippet and checks the result is
    /// <paramref name="fixedSource"/>, compiles, and no longer has the diagnostic.
    /// </summary>
    public static void Fix<TFix>(string markup, string fixedSource, string title) where TFix : CodeFixProvider, new()
    {
        var (document, diagnostic, actions) = Offered<TFix>(markup);
        var chosen = actions.FirstOrDefault(a => a.Title == title);
        Assert.That(chosen, Is.Not.Null, () => $"No fix titled '{title}'; offered: " + string.Join(", ", actions.Select(a => a.Title)));

        var operations = chosen!.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var changed = solution.GetDocument(document.Id)!;
        var text = changed.GetTextAsync().GetAwaiter().GetResult().ToString();
        Assert.That(Normalize(text), Is.EqualTo(Normalize(fixedSource)));

        var fixedCompilation = changed.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        Compiler.AssertCompiles(fixedCompilation);
        var remaining = Compiler.Analyze(fixedCompilation, new TAnalyzer()).Where(d => d.Id == diagnostic.Id).ToList();
        Assert.That(remaining, Is.Empty, "The fix left the diagnostic in place.");
    }

    /// <summary>The snippet has the diagnostic, and <typeparamref name="TFix"/> offers nothing for it: no fix is certainly right.</summary>
    public static void NoFix<TFix>(string markup) where TFix : CodeFixProvider, new()
    {
        var (_, _, actions) = Offered<TFix>(markup);
        Assert.That(actions.Select(a => a.Title), Is.Empty, "a fix is offered");
    }

    /// <summary>The snippet's document, its first fixable diagnostic (asserted present), and the fixes offered for it.</summary>
    private static (Document Document, Diagnostic Diagnostic, List<CodeAction> Actions) Offered<TFix>(string markup) where TFix : CodeFixProvider, new()
    {
        var fix = new TFix();
        var (source, _) = Markup.Parse(markup);
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Create(), "Snippet", "Snippet", LanguageNames.CSharp,
            compilationOptions: Compiler.Options, parseOptions: Compiler.ParseOptions, metadataReferences: Compiler.References));
        project = project.AddDocument("Usings.cs", Compiler.GlobalUsings).Project;
        var document = project.AddDocument("Test.cs", SourceText.From(source));
        var compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        Compiler.AssertCompiles(compilation);
        var diagnostic = Compiler.Analyze(compilation, new TAnalyzer())
            .Where(d => fix.FixableDiagnosticIds.Contains(d.Id))
            .OrderBy(d => d.Location.SourceSpan.Start)
            .FirstOrDefault();
        Assert.That(diagnostic, Is.Not.Null, "The snippet has no diagnostic to fix.");

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic!, (action, _) => actions.Add(action), CancellationToken.None);
        fix.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return (document, diagnostic!, actions);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Describe(string source, string id, TextSpan span)
    {
        var line = source.Take(span.Start).Count(c => c == '\n') + 1;
        return $"{id} line {line}: '{source.Substring(span.Start, span.Length)}' at {span}";
    }
}
