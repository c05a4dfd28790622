using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0005's fixes, where a fiber-aware replacement exists: <c>Thread.Sleep(0)</c> → <c>Fiber.Yield()</c>;
/// <c>Thread.Sleep(x)</c> → <c>UnixIO.Sleep(…)</c> when Miou.Unix is referenced; <c>task.Wait()</c>, <c>task.Result</c>
/// and <c>task.GetAwaiter().GetResult()</c> → <c>Fiber.AwaitTask(task)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallCodeFix)), Shared]
public sealed class BlockingCallCodeFix : MiouCodeFix
{
    /// <summary>Creates the fix provider (for MEF).</summary>
    public BlockingCallCodeFix()
        : base(Descriptors.MIOU0005_BlockingCall)
    {
    }

    /// <summary>Title of the Thread.Sleep(0) fix.</summary>
    public const string YieldTitle = "Use Fiber.Yield()";

    /// <summary>Title of the Thread.Sleep fix.</summary>
    public const string UnixSleepTitle = "Use UnixIO.Sleep";

    /// <summary>Title of the task fixes.</summary>
    public const string AwaitTaskTitle = "Use Fiber.AwaitTask";

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(BlockingCallAnalyzer.FixKey, out var fix) ||
            await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not { } root)
        {
            return;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var (replaced, replacement, title) = fix switch
        {
            BlockingCallAnalyzer.FixYield => Sleep(node, _ => Parse("global::Miou.Fiber.Yield()"), YieldTitle),
            BlockingCallAnalyzer.FixUnixSleep => Sleep(node, sleep => UnixSleep(sleep, milliseconds: true), UnixSleepTitle),
            BlockingCallAnalyzer.FixUnixSleepTimeSpan => Sleep(node, sleep => UnixSleep(sleep, milliseconds: false), UnixSleepTitle),
            BlockingCallAnalyzer.FixAwaitTask => AwaitTask(node),
            _ => (null, null, ""),
        };
        if (replaced is null || replacement is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(title, token => Replace(context.Document, root, replaced, replacement, token), title),
            diagnostic);
    }

    private static (SyntaxNode?, ExpressionSyntax?, string) Sleep(SyntaxNode node, System.Func<InvocationExpressionSyntax, ExpressionSyntax> make, string title) =>
        node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is { } sleep ? (sleep, make(sleep), title) : (null, null, title);

    private static ExpressionSyntax UnixSleep(InvocationExpressionSyntax sleep, bool milliseconds)
    {
        var argument = sleep.ArgumentList.Arguments[0].Expression;
        var duration = milliseconds ? Parse($"global::System.TimeSpan.FromMilliseconds({argument})") : argument;
        return Parse($"global::Miou.Unix.UnixIO.Sleep({duration})");
    }

    /// <summary>The blocking expression and the task it waits for.</summary>
    private static (SyntaxNode?, ExpressionSyntax?, string) AwaitTask(SyntaxNode node)
    {
        ExpressionSyntax? task = null;
        SyntaxNode? replaced = null;
        switch (node)
        {
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result:
                (replaced, task) = (result, result.Expression);
                break;
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Wait", Parent: InvocationExpressionSyntax wait } access:
                (replaced, task) = (wait, access.Expression);
                break;
            case MemberAccessExpressionSyntax
            {
                Name.Identifier.ValueText: "GetResult",
                Parent: InvocationExpressionSyntax getResult,
                Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAwaiter" } getAwaiter },
            }:
                (replaced, task) = (getResult, getAwaiter.Expression);
                break;
        }

        return task is null ? (null, null, AwaitTaskTitle) : (replaced, Parse($"global::Miou.Fiber.AwaitTask({task.WithoutTrivia()})"), AwaitTaskTitle);
    }

    /// <summary>Parses a fully qualified expression and marks every qualification for simplification.</summary>
    private static ExpressionSyntax Parse(string text)
    {
        var expression = SyntaxFactory.ParseExpression(text);
        return expression.ReplaceNodes(
            expression.DescendantNodesAndSelf().Where(node => node is MemberAccessExpressionSyntax or AliasQualifiedNameSyntax or QualifiedNameSyntax),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation));
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode replaced, ExpressionSyntax replacement, CancellationToken token)
    {
        _ = token;
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(replaced, replacement.WithTriviaFrom(replaced))));
    }
}
