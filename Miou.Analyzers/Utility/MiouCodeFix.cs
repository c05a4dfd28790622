using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Miou.Analyzers;

/// <summary>
/// What every Miou code fix shares: it fixes one rule's diagnostic, one at a time or all at once with the batch fixer
/// (each fix touches its own statement, so the fixes of a document never overlap).
/// </summary>
public abstract class MiouCodeFix : CodeFixProvider
{
    private protected MiouCodeFix(DiagnosticDescriptor descriptor) => FixableDiagnosticIds = ImmutableArray.Create(descriptor.Id);

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>Offers <paramref name="fixedRoot"/>, already computed, as the fix titled <paramref name="title"/> (also its equivalence key).</summary>
    private protected static void Offer(CodeFixContext context, Diagnostic diagnostic, string title, SyntaxNode fixedRoot) =>
        context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(fixedRoot)), title), diagnostic);
}
