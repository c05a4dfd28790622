using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0006's fixes: release the resource, or disown it. <c>Ownership.Own(r);</c> gets <c>Ownership.Release(r);</c>
/// (or <c>Disown</c>) at the end of its block, before a final <c>return</c>, when every path goes through that end and
/// nothing else takes <c>r</c> as an argument (see <see cref="SettleAtBlockEnd"/>). A resource released on some paths
/// only, or returned early, needs a decision no fix can make; transferring it to the parent is one too.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ResourceLeakedCodeFix)), Shared]
public sealed class ResourceLeakedCodeFix : MiouCodeFix
{
    /// <summary>Creates the fix provider (for MEF).</summary>
    public ResourceLeakedCodeFix()
        : base(Descriptors.MIOU0006_ResourceLeaked)
    {
    }

    /// <summary>Title of the release fix.</summary>
    public const string ReleaseTitle = "Release the resource";

    /// <summary>Title of the disown fix.</summary>
    public const string DisownTitle = "Disown the resource";

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not { } root ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not
            {
                Parent: ExpressionStatementSyntax statement,
                ArgumentList.Arguments: { Count: 1 } arguments,
            } ||
            arguments[0] is not { Expression: IdentifierNameSyntax resource } own)
        {
            return;
        }

        foreach (var (title, method) in new[] { (ReleaseTitle, "Release"), (DisownTitle, "Disown") })
        {
            var variable = resource.Identifier.ValueText;
            if (SettleAtBlockEnd.Apply(root, statement, variable, r => SettleAtBlockEnd.MiouCall("Ownership", method, r), own) is { } fixedRoot)
            {
                Offer(context, diagnostic, title, fixedRoot);
            }
        }
    }
}
