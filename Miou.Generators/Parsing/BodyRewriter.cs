using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Miou.Generators.Parsing;

/// <summary>
/// Applies a <see cref="BodyAnalysis"/> plan to a body: inserts <c>await</c>, renames calls to their awaitable
/// counterparts, makes fiber bodies <c>async</c>. It never adds a line break, so every line of the result is the
/// user's line of the same number: one <c>#line</c> directive maps the whole body back.
/// </summary>
internal sealed class BodyRewriter : CSharpSyntaxRewriter
{
    private readonly BodyAnalysis _plan;
    private int _temporaries;

    private BodyRewriter(BodyAnalysis plan) : base(visitIntoStructuredTrivia: false) => _plan = plan;

    public static SyntaxNode Rewrite(SyntaxNode body, BodyAnalysis plan) => new BodyRewriter(plan).Visit(body);

    public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node) =>
        _plan.Renamed.TryGetValue(node, out var name) ? node.WithIdentifier(Rename(node.Identifier, name)) : node;

    public override SyntaxNode? VisitGenericName(GenericNameSyntax node)
    {
        var visited = (GenericNameSyntax)base.VisitGenericName(node)!;
        return _plan.Renamed.TryGetValue(node, out var name) ? visited.WithIdentifier(Rename(node.Identifier, name)) : visited;
    }

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var visited = (ExpressionSyntax)base.VisitInvocationExpression(node)!;
        if (!_plan.Awaited.Contains(node))
        {
            return visited;
        }

        var awaited = AwaitExpression(Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(Space), visited.WithoutTrivia());
        ExpressionSyntax result = NeedsParentheses(node) ? ParenthesizedExpression(awaited) : awaited;
        return result.WithLeadingTrivia(visited.GetLeadingTrivia()).WithTrailingTrivia(visited.GetTrailingTrivia());
    }

    public override SyntaxNode? VisitConditionalAccessExpression(ConditionalAccessExpressionSyntax node)
    {
        if (!_plan.ConditionalCalls.TryGetValue(node, out var type) || type is null)
        {
            return base.VisitConditionalAccessExpression(node);
        }

        // x?.M(a) with a result: (x is { } t ? (T)(await t.MAsync(a)) : default(T)), receiver evaluated once.
        var (receiver, call, temporary) = SplitConditionalCall(node);
        var text = $"({receiver} is {{ }} {temporary} ? ({type})(await {temporary}{call}) : default({type}))";
        return ParseExpression(text).WithTriviaFrom(node);
    }

    public override SyntaxNode? VisitExpressionStatement(ExpressionStatementSyntax node)
    {
        if (node.Expression is ConditionalAccessExpressionSyntax access && _plan.ConditionalCalls.TryGetValue(access, out var type) && type is null)
        {
            // x?.M(a); with no result: if (x is { } t) await t.MAsync(a);
            var (receiver, call, temporary) = SplitConditionalCall(access);
            return ParseStatement($"if ({receiver} is {{ }} {temporary}) await {temporary}{call};").WithTriviaFrom(node);
        }

        return base.VisitExpressionStatement(node);
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return _plan.AsyncFunctions.Contains(node) ? MakeAsync(visited, visited.WithoutLeadingTrivia().AddModifiers(AsyncKeyword())) : visited;
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return _plan.AsyncFunctions.Contains(node) ? MakeAsync(visited, visited.WithoutLeadingTrivia().AddModifiers(AsyncKeyword())) : visited;
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var visited = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return _plan.AsyncFunctions.Contains(node) ? MakeAsync(visited, visited.WithoutLeadingTrivia().AddModifiers(AsyncKeyword())) : visited;
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        if (!_plan.FiberLocalFunctions.TryGetValue(node, out var returnType))
        {
            return visited;
        }

        var type = ParseTypeName(returnType);
        if (visited.Modifiers.Count == 0)
        {
            var asyncToken = Token(visited.ReturnType.GetLeadingTrivia(), SyntaxKind.AsyncKeyword, TriviaList(Space));
            return visited.WithModifiers(TokenList(asyncToken)).WithReturnType(type.WithTrailingTrivia(visited.ReturnType.GetTrailingTrivia()));
        }

        return visited.WithModifiers(visited.Modifiers.Add(AsyncKeyword())).WithReturnType(type.WithTriviaFrom(visited.ReturnType));
    }

    private (string Receiver, string Call, string Temporary) SplitConditionalCall(ConditionalAccessExpressionSyntax node)
    {
        var receiver = ((ExpressionSyntax)Visit(node.Expression)!).WithoutTrivia().ToString();
        var call = ((ExpressionSyntax)Visit(node.WhenNotNull)!).WithoutTrivia().ToString(); // ".MAsync(a)"
        return (receiver, call, "__miou_" + _temporaries++);
    }

    private static SyntaxToken AsyncKeyword() => Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(Space);

    private static SyntaxNode MakeAsync(SyntaxNode original, SyntaxNode asyncVersion) => asyncVersion.WithLeadingTrivia(original.GetLeadingTrivia());

    private static SyntaxToken Rename(SyntaxToken identifier, string name) => Identifier(identifier.LeadingTrivia, name, identifier.TrailingTrivia);

    /// <summary>An awaited call keeps its place in the grammar: statement, lambda or arrow body, argument, initializer.</summary>
    private static bool NeedsParentheses(InvocationExpressionSyntax node) => node.Parent switch
    {
        ExpressionStatementSyntax or ArrowExpressionClauseSyntax or ArgumentSyntax or EqualsValueClauseSyntax
            or ReturnStatementSyntax or ParenthesizedExpressionSyntax => false,
        AnonymousFunctionExpressionSyntax function => function.Body != node,
        AssignmentExpressionSyntax assignment => assignment.Right != node,
        _ => true,
    };
}
