using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Miou.Analyzers;

/// <summary>
/// What MIOU0001's and MIOU0006's fixes share: settling a variable (await or cancel a child; release or disown a
/// resource) with one call at the end of the block where its obligation starts. Offered only where that call is certainly
/// right: every normal path from the statement leaves the block through its end, and nothing else in the member takes
/// the variable as an argument (a second await, or a release after a release, would fail at run time).
/// </summary>
internal static class SettleAtBlockEnd
{
    /// <summary><c>global::Miou.Type.Method(argument)</c>, simplified once applied.</summary>
    public static InvocationExpressionSyntax MiouCall(string type, string method, ExpressionSyntax argument) =>
        SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseTypeName("global::Miou." + type).WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName(method)),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(argument))));

    /// <summary>
    /// <paramref name="root"/> with <paramref name="settle"/>(<paramref name="variable"/>) added at the end of the block
    /// holding <paramref name="statement"/> (before a final <c>return</c>, <c>throw</c>, <c>break</c> or <c>continue</c>);
    /// null where that is not certainly right. <paramref name="start"/> is the argument that starts the obligation
    /// (<c>Ownership.Own(r)</c>'s), the one use of the variable as an argument allowed besides.
    /// </summary>
    public static SyntaxNode? Apply(SyntaxNode root, StatementSyntax statement, string variable, System.Func<ExpressionSyntax, ExpressionSyntax> settle,
        ArgumentSyntax? start = null)
    {
        if (statement.Parent is not BlockSyntax block || statement.FirstAncestorOrSelf<MemberDeclarationSyntax>() is not { } member)
        {
            return null;
        }

        foreach (var name in member.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == variable && PassedIn(name) is { } argument && argument != start)
            {
                return null; // already awaited, released, or handed to someone on some path (give: [r] too)
            }
        }

        var statements = block.Statements;
        var last = statements.Last();
        var endsInJump = last is ReturnStatementSyntax or ThrowStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax;
        var rest = statements.Skip(statements.IndexOf(statement) + 1).Where(s => !(endsInJump && s == last));
        if (rest.Any(LeavesEarly))
        {
            return null; // some path would skip the end of the block
        }

        var call = SyntaxFactory.ExpressionStatement(settle(SyntaxFactory.IdentifierName(variable))).WithAdditionalAnnotations(Formatter.Annotation);
        var settled = endsInJump ? statements.Insert(statements.Count - 1, call) : statements.Add(call);
        return root.ReplaceNode(block, block.WithStatements(settled));
    }

    /// <summary>The argument that passes <paramref name="name"/> itself (<c>f(p)</c>, <c>give: [r]</c>), if any; not <c>f(p.Id)</c>.</summary>
    private static ArgumentSyntax? PassedIn(IdentifierNameSyntax name)
    {
        SyntaxNode current = name;
        while (current.Parent is ExpressionElementSyntax or CollectionExpressionSyntax or InitializerExpressionSyntax or
               ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CastExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            current = current.Parent;
        }

        return current.Parent as ArgumentSyntax;
    }

    /// <summary>A jump out of the statement (a return, goto, break, continue or yield), nested functions aside.</summary>
    private static bool LeavesEarly(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(node => node is ReturnStatementSyntax or GotoStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or YieldStatementSyntax);
}
