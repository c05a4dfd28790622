using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Miou.Generators.Diagnostics;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// The cached step: turns a <see cref="FiberMethodInput"/> into the twin's spec (or diagnostics) without a semantic
/// model. The method is reparsed from its text (the input holds no syntax node), analysed with the facts the semantic
/// step collected, and rewritten. It reruns only when the input changes: the method's text, its position, or a fact it
/// depends on. (Keeping the user's node for the run that made the input saved nothing measurable on 1,000 methods.)
/// </summary>
internal static class TwinBuilder
{
    public static FiberMethodResult Build(FiberMethodInput input, CancellationToken cancellation)
    {
        if (input.Done is { } done)
        {
            return done;
        }

        var source = input.Method!;
        try
        {
            var options = CSharpParseOptions.Default.WithLanguageVersion((LanguageVersion)source.LanguageVersion);
            if (SyntaxFactory.ParseMemberDeclaration(source.Text, options: options) is not MethodDeclarationSyntax method)
            {
                throw new InvalidOperationException("the declaration's text no longer parses as a method");
            }

            return Build(method, source, cancellation);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator never throws: an exception would disable it for the whole project.
            var at = new Locator(Microsoft.CodeAnalysis.Text.SourceText.From(source.Text), 0, source.Position);
            var diagnostic = at.Create(Descriptors.InternalError, new Microsoft.CodeAnalysis.Text.TextSpan(0, source.Text.Length), source.Declaration.Name, e.GetType().Name + ": " + e.Message);
            return new FiberMethodResult(null, new[] { diagnostic }.ToEquatableArray());
        }
    }

    /// <summary>Analyses and rewrites <paramref name="method"/>, a declaration whose text is <paramref name="source"/>'s.</summary>
    public static FiberMethodResult Build(MethodDeclarationSyntax method, FiberMethodSource source, CancellationToken cancellation)
    {
        var declaration = source.Declaration;
        var diagnostics = new List<DiagnosticInfo>(source.Diagnostics);
        var body = (Microsoft.CodeAnalysis.SyntaxNode?)method.Body ?? method.ExpressionBody;
        BodyAnalysis? plan = null;
        if (body is not null)
        {
            var locator = new Locator(method.SyntaxTree.GetText(cancellation), method.SpanStart, source.Position);
            plan = BodyAnalysis.Run(method, body, declaration.Name, source.Facts, locator, cancellation);
            diagnostics.AddRange(plan.Diagnostics);
        }

        if (diagnostics.Count > 0)
        {
            return new FiberMethodResult(null, diagnostics.ToEquatableArray());
        }

        var rewritten = body is null ? "" : BodyRewriter.Rewrite(body, plan!);
        if (method.ExpressionBody is not null)
        {
            rewritten += ";";
        }

        var spec = new FiberMethodSpec(
            Declaration: declaration,
            Signature: TwinSignature(method, declaration.TwinReturnType, isAsync: body is not null),
            Body: rewritten,
            FilePath: source.Position.FilePath,
            BodyLine: source.Position.BodyLine,
            BodyColumn: source.Position.BodyColumn,
            Defines: body is not null && body.ContainsDirectives ? Defines(method) : "");
        return new FiberMethodResult(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>
    /// The active <c>#define</c> and <c>#undef</c> lines of the method's file before it, in order: the #if directives the
    /// body keeps must select the same text in the generated file. (Only a method rewritten on the user's tree has any.)
    /// </summary>
    private static string Defines(MethodDeclarationSyntax method)
    {
        var text = new StringBuilder();
        static bool IsDefinition(DirectiveTriviaSyntax d) => d is DefineDirectiveTriviaSyntax or UndefDirectiveTriviaSyntax;
        var root = (CSharpSyntaxNode)method.SyntaxTree.GetRoot();
        for (var directive = root.GetFirstDirective(IsDefinition); directive is not null && directive.SpanStart < method.SpanStart;
             directive = directive.GetNextDirective(IsDefinition))
        {
            if (directive.IsActive)
            {
                var name = directive is DefineDirectiveTriviaSyntax define ? define.Name : ((UndefDirectiveTriviaSyntax)directive).Name;
                text.Append('#').Append(directive.DirectiveNameToken.Text).Append(' ').AppendLine(name.ValueText);
            }
        }

        return text.ToString();
    }

    /// <summary>The twin's declaration: the user's modifiers, Fiber return type, name + "Async", the user's parameters.</summary>
    private static string TwinSignature(MethodDeclarationSyntax method, string returnType, bool isAsync)
    {
        var text = new StringBuilder();
        foreach (var modifier in method.Modifiers)
        {
            if (!modifier.IsKind(SyntaxKind.PartialKeyword) && !modifier.IsKind(SyntaxKind.ExternKeyword))
            {
                text.Append(modifier.ValueText).Append(' ');
            }
        }

        if (isAsync)
        {
            text.Append("async ");
        }

        text.Append(returnType).Append(' ');
        if (method.ExplicitInterfaceSpecifier is { } explicitInterface)
        {
            text.Append(explicitInterface.WithoutTrivia().ToString());
        }

        text.Append(method.Identifier.ValueText).Append("Async");
        text.Append(method.TypeParameterList?.WithoutTrivia().ToString());
        text.Append(method.ParameterList.WithoutTrivia().ToString());
        foreach (var clause in method.ConstraintClauses)
        {
            text.Append(' ').Append(clause.WithoutTrivia().ToString());
        }

        return text.ToString();
    }
}
