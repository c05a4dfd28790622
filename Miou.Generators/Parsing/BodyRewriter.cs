using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Generators.Parsing;

/// <summary>
/// Applies a <see cref="BodyAnalysis"/> plan to a body's text: inserts <c>await</c>, renames calls to their awaitable
/// counterparts, makes fiber bodies and fiber local functions <c>async</c>, expands <c>x?.M(…)</c>. It edits the text
/// instead of rebuilding the syntax tree (several times cheaper for a whole project), and never adds a line break, so
/// every line of the result is the user's line of the same number: one <c>#line</c> directive maps the whole body back.
/// </summary>
internal sealed class BodyRewriter
{
    private readonly SourceText _text;
    private readonly BodyAnalysis _plan;
    private readonly StringBuilder _output = new();
    private int _temporaries;

    private BodyRewriter(SourceText text, BodyAnalysis plan) => (_text, _plan) = (text, plan);

    /// <summary>The text of <paramref name="body"/>'s span (no leading or trailing trivia) with the plan applied.</summary>
    public static string Rewrite(SyntaxNode body, BodyAnalysis plan)
    {
        var root = new Edit(body.Span, EditKind.Composite, "", body);
        foreach (var edit in Edits(plan))
        {
            root.Place(edit);
        }

        var rewriter = new BodyRewriter(body.SyntaxTree.GetText(), plan);
        rewriter.Render(root.Children, body.Span);
        return rewriter._output.ToString();
    }

    private enum EditKind
    {
        /// <summary>Text inserted where a node ends (a closing parenthesis): inner nodes' first.</summary>
        Close,

        /// <summary>Text inserted where a node starts: outer nodes' first.</summary>
        Open,

        /// <summary>Text that replaces a span.</summary>
        Replace,

        /// <summary>A node replaced by text built from its rewritten parts (a conditional call).</summary>
        Composite,
    }

    /// <summary>One change, owned by a node (or token); edits inside a composite's span are rendered by the composite.</summary>
    private sealed class Edit(TextSpan owner, EditKind kind, string text, SyntaxNode? node = null)
    {
        public TextSpan Owner { get; } = owner;

        public EditKind Kind { get; } = kind;

        public string Text { get; } = text;

        /// <summary>For a composite: the conditional access or the statement it replaces.</summary>
        public SyntaxNode? Node { get; } = node;

        /// <summary>Where the edit applies: the owner's start, or its end for a closing insertion.</summary>
        public int Position => Kind == EditKind.Close ? Owner.End : Owner.Start;

        public List<Edit> Children { get; } = new();

        /// <summary>Files an edit under the innermost composite that contains its owner.</summary>
        public void Place(Edit edit)
        {
            foreach (var child in Children)
            {
                if (child.Kind == EditKind.Composite && child.Owner.Contains(edit.Owner) && child.Owner != edit.Owner)
                {
                    child.Place(edit);
                    return;
                }
            }

            if (edit.Kind == EditKind.Composite)
            {
                // A composite placed after edits it contains takes them over.
                for (var i = Children.Count - 1; i >= 0; i--)
                {
                    if (edit.Owner.Contains(Children[i].Owner) && edit.Owner != Children[i].Owner)
                    {
                        edit.Place(Children[i]);
                        Children.RemoveAt(i);
                    }
                }
            }

            Children.Add(edit);
        }
    }

    private static IEnumerable<Edit> Edits(BodyAnalysis plan)
    {
        foreach (var pair in plan.Renamed)
        {
            yield return new Edit(pair.Key.Identifier.Span, EditKind.Replace, pair.Value);
        }

        foreach (var pair in plan.StaticCalls)
        {
            // x.M(a) -> T.MAsync(x, a): the prefix opens where the call's expression starts (inside the call's await),
            // ".M(" becomes ", " (the line breaks it spans are kept). In x?.M(a) the conditional call writes the prefix.
            var invocation = pair.Key;
            var open = invocation.ArgumentList.OpenParenToken.Span.End;
            var separator = invocation.ArgumentList.Arguments.Count > 0 ? ", " : "";
            if (invocation.Expression is MemberAccessExpressionSyntax access)
            {
                yield return new Edit(access.Span, EditKind.Open, pair.Value);
                yield return StaticSeparator(invocation.SyntaxTree, access.Expression.Span.End, open, separator);
            }
            else if (invocation.Parent is ConditionalAccessExpressionSyntax conditional && IsComposite(plan, conditional))
            {
                yield return StaticSeparator(invocation.SyntaxTree, invocation.SpanStart, open, separator);
            }
            else if (BodyAnalysis.TargetName(invocation.Expression) is { } name)
            {
                yield return new Edit(name.Identifier.Span, EditKind.Replace, pair.Value.Substring(pair.Value.LastIndexOf('.') + 1).TrimEnd('('));
            }
        }

        foreach (var invocation in plan.Awaited)
        {
            var parenthesized = NeedsParentheses(invocation);
            yield return new Edit(invocation.Span, EditKind.Open, parenthesized ? "(await " : "await ");
            if (parenthesized)
            {
                yield return new Edit(invocation.Span, EditKind.Close, ")");
            }
        }

        foreach (var statement in plan.Returned)
        {
            yield return new Edit(statement.Span, EditKind.Open, "return ");
        }

        foreach (var function in plan.AsyncFunctions)
        {
            // Where the async modifier goes: after the other modifiers, else after the attributes, else first.
            var position = function.Modifiers.Count > 0 ? function.Modifiers.Last().FullSpan.End
                : function is LambdaExpressionSyntax { AttributeLists.Count: > 0 } lambda ? lambda.AttributeLists.Last().FullSpan.End
                : function.SpanStart;
            yield return new Edit(new TextSpan(position, 0), EditKind.Open, "async ");
            if (function is ParenthesizedLambdaExpressionSyntax { ReturnType: { } returnType })
            {
                // An async lambda's explicit return type is its awaitable: int () => … becomes async Fiber<int> () => ….
                yield return new Edit(returnType.Span, EditKind.Replace, returnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword }
                    ? "global::Miou.Fiber"
                    : "global::Miou.Fiber<" + returnType + ">");
            }
        }

        foreach (var pair in plan.FiberLocalFunctions)
        {
            var local = pair.Key;
            if (local.Modifiers.Count == 0)
            {
                yield return new Edit(local.ReturnType.Span, EditKind.Replace, "async " + pair.Value);
            }
            else
            {
                yield return new Edit(new TextSpan(local.Modifiers.Last().FullSpan.End, 0), EditKind.Open, "async ");
                yield return new Edit(local.ReturnType.Span, EditKind.Replace, pair.Value);
            }
        }

        foreach (var pair in plan.ConditionalCalls)
        {
            if (pair.Value is not null)
            {
                yield return new Edit(pair.Key.Span, EditKind.Composite, pair.Value, pair.Key);
            }
            else if (pair.Key.Parent is ExpressionStatementSyntax statement && statement.Expression == pair.Key)
            {
                yield return new Edit(statement.Span, EditKind.Composite, "", statement);
            }
        }
    }

    /// <summary>Whether a conditional call is rendered by <see cref="RenderConditionalCall"/>.</summary>
    private static bool IsComposite(BodyAnalysis plan, ConditionalAccessExpressionSyntax access) =>
        plan.ConditionalCalls.TryGetValue(access, out var type) &&
        (type is not null || access.Parent is ExpressionStatementSyntax statement && statement.Expression == access);

    /// <summary>Replaces <c>.M(</c> (from <paramref name="start"/> to <paramref name="end"/>) with the separator and its line breaks.</summary>
    private static Edit StaticSeparator(SyntaxTree tree, int start, int end, string separator)
    {
        var span = TextSpan.FromBounds(start, end);
        var replaced = tree.GetText().ToString(span);
        var text = new StringBuilder(separator);
        for (var i = 0; i < replaced.Length; i++)
        {
            if (replaced[i] is '\r' or '\n')
            {
                text.Append(replaced[i]);
            }
        }

        return new Edit(span, EditKind.Replace, text.ToString());
    }

    /// <summary>Writes <paramref name="span"/> of the text with <paramref name="edits"/> (all inside it) applied.</summary>
    private void Render(List<Edit> edits, TextSpan span)
    {
        var position = span.Start;
        foreach (var edit in edits.OrderBy(e => e.Position).ThenBy(e => e.Kind).ThenBy(e => e.Kind switch
                 {
                     EditKind.Close => -e.Owner.Start, // the inner node closes first
                     EditKind.Open => -e.Owner.End,    // the outer node opens first
                     _ => 0,
                 }))
        {
            Copy(position, edit.Position);
            switch (edit.Kind)
            {
                case EditKind.Open or EditKind.Close:
                    _output.Append(edit.Text);
                    position = edit.Position;
                    break;
                case EditKind.Replace:
                    _output.Append(edit.Text);
                    position = edit.Owner.End;
                    break;
                default:
                    RenderConditionalCall(edit);
                    position = edit.Owner.End;
                    break;
            }
        }

        Copy(position, span.End);
    }

    private void Copy(int from, int to)
    {
        if (to > from)
        {
            _output.Append(_text.ToString(new TextSpan(from, to - from)));
        }
    }

    /// <summary>
    /// <c>x?.M(a)</c> with a result: <c>(x is { } t ? (T)(await t.MAsync(a)) : default(T))</c>; as a statement with no
    /// result: <c>{ if (x is { } t) await t.MAsync(a); }</c>, in braces so that an <c>else</c> after the statement
    /// (<c>if (b) x?.M(); else …</c>) stays with the user's <c>if</c>. The receiver is evaluated once.
    /// </summary>
    private void RenderConditionalCall(Edit edit)
    {
        var access = edit.Node as ConditionalAccessExpressionSyntax ?? (ConditionalAccessExpressionSyntax)((ExpressionStatementSyntax)edit.Node!).Expression;
        var receiver = RenderPart(edit, access.Expression.Span);
        var call = RenderPart(edit, access.WhenNotNull.Span); // ".MAsync(a)", or ", a)" for an extension in static form
        var temporary = "__miou_" + _temporaries++;
        call = access.WhenNotNull is InvocationExpressionSyntax invocation && _plan.StaticCalls.TryGetValue(invocation, out var prefix)
            ? prefix + temporary + call
            : temporary + call;
        _output.Append(edit.Text.Length > 0
            ? $"({receiver} is {{ }} {temporary} ? ({edit.Text})(await {call}) : default({edit.Text}))"
            : $"{{ if ({receiver} is {{ }} {temporary}) await {call}; }}");
    }

    private string RenderPart(Edit edit, TextSpan span)
    {
        var start = _output.Length;
        Render(edit.Children.Where(e => span.Contains(e.Owner)).ToList(), span);
        var part = _output.ToString(start, _output.Length - start);
        _output.Length = start;
        return part;
    }

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
