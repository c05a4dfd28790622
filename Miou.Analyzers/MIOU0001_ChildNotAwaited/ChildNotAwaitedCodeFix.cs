using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0001's fixes: await the child, or cancel it. A discarded spawn is wrapped (<c>Fiber.Await(Fiber.Async(…));</c>);
/// a spawn stored in a local gets <c>Fiber.Await(p);</c> at the end of the block that declares it, before a final
/// <c>return</c>, when every path goes through that end and nothing else awaits, cancels or takes the local (see
/// <see cref="SettleAtBlockEnd"/>). A child that is overwritten or returned to the parent, or one settled on some paths
/// only, needs a decision no fix can make.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ChildNotAwaitedCodeFix)), Shared]
public sealed class ChildNotAwaitedCodeFix : MiouCodeFix
{
    /// <summary>Creates the fix provider (for MEF).</summary>
    public ChildNotAwaitedCodeFix()
        : base(Descriptors.MIOU0001_ChildNotAwaited)
    {
    }

    /// <summary>Title of the await fix.</summary>
    public const string AwaitTitle = "Await the child";

    /// <summary>Title of the cancel fix.</summary>
    public const string CancelTitle = "Cancel the child";

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(ChildNotAwaitedAnalyzer.WhyKey, out var why) ||
            why is not (nameof(Violation.Discarded) or nameof(Violation.PendingAtExit)) ||
            await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not { } root ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } spawn)
        {
            return;
        }

        foreach (var (title, method) in new[] { (AwaitTitle, "Await"), (CancelTitle, "Cancel") })
        {
            if (Fix(root, spawn, method) is { } fixedRoot)
            {
                Offer(context, diagnostic, title, fixedRoot);
            }
        }
    }

    private static SyntaxNode? Fix(SyntaxNode root, InvocationExpressionSyntax spawn, string method)
    {
        // Fiber.Async(…); or _ = Fiber.Async(…);  →  Fiber.Await(Fiber.Async(…));
        var statement = spawn.Parent switch
        {
            ExpressionStatementSyntax discarded => discarded,
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" }, Parent: ExpressionStatementSyntax discard } => discard,
            _ => null,
        };
        if (statement is not null)
        {
            var wrapped = SyntaxFactory.ExpressionStatement(SettleAtBlockEnd.MiouCall("Fiber", method, spawn.WithoutTrivia())).WithTriviaFrom(statement);
            return root.ReplaceNode(statement, wrapped);
        }

        // var p = Fiber.Async(…);  …  Fiber.Await(p);
        if (spawn.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } &&
            declarator.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { } declaration)
        {
            return SettleAtBlockEnd.Apply(root, declaration, declarator.Identifier.ValueText, p => SettleAtBlockEnd.MiouCall("Fiber", method, p));
        }

        return null;
    }
}
