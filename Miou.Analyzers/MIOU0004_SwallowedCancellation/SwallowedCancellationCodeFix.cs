using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0004's fix: rethrow CancelledException. A <c>catch (CancelledException)</c> gets a final <c>throw;</c>; a broader
/// catch gets a <c>catch (CancelledException) { throw; }</c> clause just before it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedCancellationCodeFix)), Shared]
public sealed class SwallowedCancellationCodeFix : MiouCodeFix
{
    /// <summary>Creates the fix provider (for MEF).</summary>
    public SwallowedCancellationCodeFix()
        : base(Descriptors.MIOU0004_SwallowedCancellation)
    {
    }

    /// <summary>The fix's title.</summary>
    public const string Title = "Rethrow CancelledException";

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<CatchClauseSyntax>() is not { } clause)
        {
            return;
        }

        var exactly = diagnostic.Properties.TryGetValue(SwallowedCancellationAnalyzer.CatchesExactly, out var value) && value == "true";
        context.RegisterCodeFix(
            CodeAction.Create(Title, token => Fix(context.Document, root, clause, exactly, token), nameof(SwallowedCancellationCodeFix)),
            diagnostic);
    }

    private static Task<Document> Fix(Document document, SyntaxNode root, CatchClauseSyntax clause, bool exactly, CancellationToken token)
    {
        _ = token;
        var rethrow = SyntaxFactory.ThrowStatement().WithAdditionalAnnotations(Formatter.Annotation);
        SyntaxNode newRoot;
        if (exactly)
        {
            newRoot = root.ReplaceNode(clause.Block, clause.Block.AddStatements(rethrow));
        }
        else
        {
            var type = SyntaxFactory.ParseTypeName("global::Miou.CancelledException").WithAdditionalAnnotations(Simplifier.Annotation);
            var rethrowClause = SyntaxFactory.CatchClause(SyntaxFactory.CatchDeclaration(type), null, SyntaxFactory.Block(rethrow))
                .WithAdditionalAnnotations(Formatter.Annotation);
            var @try = (TryStatementSyntax)clause.Parent!;
            var index = @try.Catches.IndexOf(clause);
            newRoot = root.ReplaceNode(@try, @try.WithCatches(@try.Catches.Insert(index, rethrowClause)));
        }

        return Task.FromResult(document.WithSyntaxRoot(newRoot));
    }
}
