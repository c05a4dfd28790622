using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Miou.Generators.Diagnostics;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// The syntactic pass over a [Fiber] method body: with the <see cref="BodyFacts"/> that <see cref="FactCollector"/>
/// resolved, finds every suspension point and every fiber body, checks that each can be made resumable, and records,
/// as a plan keyed by syntax node, what the <see cref="BodyRewriter"/> must change. It needs no semantic model, so it
/// runs on a reparsed copy of the method, downstream of the semantic step and cached with it.
/// </summary>
internal sealed class BodyAnalysis
{
    private readonly SyntaxNode _origin;
    private readonly SyntaxNode _root;
    private readonly string _methodName;
    private readonly CancellationToken _cancellation;
    private readonly Locator _locator;
    private readonly Dictionary<(int, int), CallFact> _callFacts = new();
    private readonly Dictionary<(int, int), NameFact> _nameFacts = new();
    private readonly Dictionary<int, LocalFunctionFact> _localFacts = new();
    private readonly Dictionary<(int, int), ConditionalFact> _conditionalFacts = new();
    private readonly HashSet<int> _fiberLocals = new();

    private BodyAnalysis(SyntaxNode origin, SyntaxNode root, string methodName, BodyFacts facts, Locator locator, CancellationToken cancellation)
    {
        _origin = origin;
        _root = root;
        _methodName = methodName;
        _locator = locator;
        _cancellation = cancellation;
        foreach (var call in facts.Calls)
        {
            _callFacts[(call.Start, call.Length)] = call;
        }

        foreach (var name in facts.Names)
        {
            _nameFacts[(name.Start, name.Length)] = name;
        }

        foreach (var local in facts.LocalFunctions)
        {
            _localFacts[local.Start] = local;
        }

        foreach (var conditional in facts.Conditionals)
        {
            _conditionalFacts[(conditional.Start, conditional.Length)] = conditional;
        }
    }

    /// <summary>Invocations to wrap in <c>await</c>.</summary>
    public HashSet<InvocationExpressionSyntax> Awaited { get; } = new();

    /// <summary>Simple names to rename (a direct-style method to its awaitable, a [Fiber] method to its twin).</summary>
    public Dictionary<SimpleNameSyntax, string> Renamed { get; } = new();

    /// <summary>
    /// Extension calls in reduced form to write in static form, <c>x.M(a)</c> as <c>T.MAsync(x, a)</c>: the text that
    /// replaces <c>x.M(</c>'s start, up to and including the opening parenthesis.
    /// </summary>
    public Dictionary<InvocationExpressionSyntax, string> StaticCalls { get; } = new();

    /// <summary>Lambdas and anonymous methods passed as fiber bodies: they become <c>async</c>.</summary>
    public HashSet<AnonymousFunctionExpressionSyntax> AsyncFunctions { get; } = new();

    /// <summary>Statements <c>M(a);</c>, the whole body of a void fiber-body lambda, that become <c>return MAsync(a);</c>.</summary>
    public HashSet<ExpressionStatementSyntax> Returned { get; } = new();

    /// <summary>Local functions that suspend: they become <c>async Fiber&lt;T&gt;</c>, with this return type.</summary>
    public Dictionary<LocalFunctionStatementSyntax, string> FiberLocalFunctions { get; } = new();

    /// <summary><c>x?.M(…)</c> where M suspends: the result type of the whole access (or null for void).</summary>
    public Dictionary<ConditionalAccessExpressionSyntax, string?> ConditionalCalls { get; } = new();

    public List<DiagnosticInfo> Diagnostics { get; } = new();

    private readonly record struct Call(bool Suspends, string? NewName, CallFact Fact, bool DirectStyle);

    /// <summary>Analyses <paramref name="root"/>, a body of <paramref name="origin"/>; the facts' spans are relative to <paramref name="origin"/>.</summary>
    public static BodyAnalysis Run(SyntaxNode origin, SyntaxNode root, string methodName, BodyFacts facts, Locator locator, CancellationToken cancellation)
    {
        var analysis = new BodyAnalysis(origin, root, methodName, facts, locator, cancellation);
        analysis.Analyze();
        return analysis;
    }

    private (int, int) Key(SyntaxNode node) => (node.SpanStart - _origin.SpanStart, node.Span.Length);

    private int RelativeStart(SyntaxNode node) => node.SpanStart - _origin.SpanStart;

    private void Analyze()
    {
        // One walk over the body; the passes below then visit only the nodes that can matter.
        var invocations = new List<InvocationExpressionSyntax>();
        var names = new List<SimpleNameSyntax>();
        var locals = new List<LocalFunctionStatementSyntax>();
        var localArguments = new List<ArgumentSyntax>();
        var forbidden = new List<SyntaxNode>();
        foreach (var node in _root.DescendantNodesAndSelf())
        {
            _cancellation.ThrowIfCancellationRequested();
            switch (node)
            {
                case InvocationExpressionSyntax invocation when _callFacts.ContainsKey(Key(invocation)):
                    invocations.Add(invocation);
                    break;
                case SimpleNameSyntax name when _nameFacts.ContainsKey(Key(name)):
                    names.Add(name);
                    break;
                case LocalFunctionStatementSyntax local:
                    locals.Add(local);
                    break;
                case ArgumentSyntax argument when Unparenthesize(argument.Expression) is SimpleNameSyntax candidate &&
                                                  _nameFacts.TryGetValue(Key(candidate), out var fact) && fact.LocalStart >= 0:
                    localArguments.Add(argument);
                    break;
                case YieldStatementSyntax or UnsafeStatementSyntax or FixedStatementSyntax when node != _root:
                    forbidden.Add(node);
                    break;
            }
        }

        CheckForbiddenStatements(forbidden, locals);
        FindFiberLocalFunctions(locals, localArguments);
        foreach (var invocation in invocations)
        {
            if (Classify(invocation) is not { } call)
            {
                continue;
            }

            if (call.Fact.ExtensionType.Length > 0 && invocation.Expression is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax)
            {
                // x.M(a) becomes T.MAsync(x, a): in reduced form an instance member of x named MAsync would win.
                var typeArguments = TargetName(invocation.Expression) is GenericNameSyntax generic ? generic.TypeArgumentList.ToString() : "";
                StaticCalls[invocation] = call.Fact.ExtensionType + "." + call.Fact.NewName + typeArguments + "(";
            }
            else if (call.NewName is { } newName && TargetName(invocation.Expression) is { } name)
            {
                Renamed[name] = newName;
            }

            if (call.DirectStyle)
            {
                PlanFiberBodies(invocation, call.Fact);
            }

            if (call.Suspends)
            {
                PlanSuspension(invocation);
            }
        }

        CheckMethodGroups(names);
        ReturnFibersAsIs();
        foreach (var local in locals)
        {
            if (_fiberLocals.Contains(RelativeStart(local)) && _localFacts.TryGetValue(RelativeStart(local), out var fact))
            {
                FiberLocalFunctions[local] = fact.TwinReturnType;
            }
        }
    }

    /// <summary>Iterators, unsafe code and fixed statements of the method itself (not of its lambdas and local functions).</summary>
    private void CheckForbiddenStatements(List<SyntaxNode> forbidden, List<LocalFunctionStatementSyntax> locals)
    {
        foreach (var node in forbidden)
        {
            if (node.Ancestors().TakeWhile(a => a != _root).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                continue;
            }

            var descriptor = node switch
            {
                YieldStatementSyntax => Descriptors.Iterator,
                UnsafeStatementSyntax => Descriptors.Unsafe,
                _ => Descriptors.Fixed,
            };
            Report(descriptor, node, _methodName);
        }

        foreach (var local in locals)
        {
            if (local.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                Report(Descriptors.Unsafe, local.Identifier, _methodName);
            }
        }
    }

    /// <summary>
    /// A local function becomes a fiber if it is marked [Fiber], suspends, or is passed as a fiber body. Suspending is
    /// transitive through calls to other local functions, hence the fixpoint.
    /// </summary>
    private void FindFiberLocalFunctions(List<LocalFunctionStatementSyntax> locals, List<ArgumentSyntax> localArguments)
    {
        var known = new List<(LocalFunctionStatementSyntax Syntax, int Start)>();
        foreach (var local in locals)
        {
            if (_localFacts.TryGetValue(RelativeStart(local), out var fact))
            {
                known.Add((local, fact.Start));
                if (fact.HasFiberAttribute)
                {
                    _fiberLocals.Add(fact.Start);
                }
            }
        }

        foreach (var argument in localArguments)
        {
            if (IsFiberBodyArgument(argument))
            {
                _fiberLocals.Add(_nameFacts[Key(Unparenthesize(argument.Expression))].LocalStart);
            }
        }

        bool changed;
        do
        {
            changed = false;
            foreach (var (syntax, start) in known)
            {
                if (_fiberLocals.Contains(start))
                {
                    continue;
                }

                foreach (var invocation in DescendantsOfThisFunction(syntax).OfType<InvocationExpressionSyntax>())
                {
                    if (Classify(invocation) is { Suspends: true })
                    {
                        _fiberLocals.Add(start);
                        changed = true;
                        break;
                    }
                }
            }
        }
        while (changed);
    }

    /// <summary>What an invocation is to the generator: null for an ordinary call.</summary>
    private Call? Classify(InvocationExpressionSyntax invocation)
    {
        if (!_callFacts.TryGetValue(Key(invocation), out var fact))
        {
            return null;
        }

        return fact.Kind switch
        {
            CallKind.LocalFunction => _fiberLocals.Contains(fact.LocalStart) ? new Call(true, null, fact, false) : null,
            CallKind.Fiber => new Call(true, fact.NewName, fact, false),
            _ => new Call(fact.Suspends, fact.NewName, fact, true),
        };
    }

    /// <summary>Fiber-body arguments of a direct-style call: lambdas become async, [Fiber] method groups their twins.</summary>
    private void PlanFiberBodies(InvocationExpressionSyntax invocation, CallFact method)
    {
        var arguments = invocation.ArgumentList.Arguments;
        for (var i = 0; i < arguments.Count && i < method.FiberBodyArguments.Count; i++)
        {
            if (!method.FiberBodyArguments[i])
            {
                continue;
            }

            var syntax = arguments[i];
            var expression = Unparenthesize(syntax.Expression);
            if (expression is AnonymousFunctionExpressionSyntax function)
            {
                AsyncFunctions.Add(function);
            }
            else if (TargetName(expression) is { } name && _nameFacts.TryGetValue(Key(name), out var group) &&
                     (group.IsFiberMethod || _fiberLocals.Contains(group.LocalStart)))
            {
                if (group.LocalStart < 0)
                {
                    Renamed[name] = group.Name + "Async";
                }
            }
            else if (TargetName(expression) is { } directStyle && _nameFacts.TryGetValue(Key(directStyle), out var counterpart) &&
                     counterpart.Counterpart.Length > 0)
            {
                Renamed[directStyle] = counterpart.Counterpart; // Domain.Self -> Domain.SelfAsync, which returns a Fiber<Domain>
            }
            else
            {
                Report(Descriptors.ArbitraryFiberBody, syntax, method.DisplayName);
            }
        }
    }

    /// <summary>
    /// A fiber-body lambda whose whole body is one call of a [Fiber] method (or fiber local function) of the lambda's own
    /// return type, and that suspends nowhere else, returns the twin's fiber as is: <c>() =&gt; MAsync(a)</c> instead of
    /// <c>async () =&gt; await MAsync(a)</c>, one state machine less per child. An exception thrown while evaluating the
    /// arguments then leaves the body delegate instead of its fiber; the runtime fails the child alike.
    /// </summary>
    private void ReturnFibersAsIs()
    {
        foreach (var function in AsyncFunctions.ToList())
        {
            if (function.AsyncKeyword.RawKind != 0 || function is ParenthesizedLambdaExpressionSyntax { ReturnType: not null } ||
                SoleCall(function) is not { } call || !Awaited.Contains(call) ||
                !_callFacts.TryGetValue(Key(call), out var fact) || !fact.IsLambdaResult ||
                Awaited.Any(other => other != call && function.Span.Contains(other.Span)) ||
                ConditionalCalls.Keys.Any(access => function.Span.Contains(access.Span)) ||
                AsyncFunctions.Any(other => other != function && function.Span.Contains(other.Span)))
            {
                continue;
            }

            AsyncFunctions.Remove(function);
            Awaited.Remove(call);
            if (call.Parent is ExpressionStatementSyntax statement)
            {
                Returned.Add(statement);
            }
        }
    }

    /// <summary>The call that is the whole body of <paramref name="function"/>: <c>M(a)</c>, <c>{ return M(a); }</c> or <c>{ M(a); }</c>.</summary>
    private static InvocationExpressionSyntax? SoleCall(AnonymousFunctionExpressionSyntax function) => function.Body switch
    {
        InvocationExpressionSyntax call => call,
        BlockSyntax { Statements.Count: 1 } block => block.Statements[0] switch
        {
            ReturnStatementSyntax { Expression: InvocationExpressionSyntax call } => call,
            ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } => call,
            _ => null,
        },
        _ => null,
    };

    /// <summary>The lambda or anonymous method whose whole body <paramref name="invocation"/> is, if any.</summary>
    public static AnonymousFunctionExpressionSyntax? LambdaOfSoleCall(InvocationExpressionSyntax invocation)
    {
        var function = invocation.Parent switch
        {
            AnonymousFunctionExpressionSyntax f => f,
            ReturnStatementSyntax or ExpressionStatementSyntax => invocation.Parent.Parent?.Parent as AnonymousFunctionExpressionSyntax,
            _ => null,
        };
        return function is not null && SoleCall(function) == invocation ? function : null;
    }

    /// <summary>Plans the <c>await</c> and checks that the suspension point is somewhere a state machine can suspend.</summary>
    private void PlanSuspension(InvocationExpressionSyntax invocation)
    {
        var what = invocation.Expression.ToString();
        if (InConditionalChain(invocation.Expression))
        {
            if (invocation.Expression is MemberBindingExpressionSyntax &&
                invocation.Parent is ConditionalAccessExpressionSyntax access && access.WhenNotNull == invocation &&
                !access.Ancestors().OfType<ConditionalAccessExpressionSyntax>().Any(outer => outer.WhenNotNull.Span.Contains(access.Span)))
            {
                var type = _conditionalFacts.TryGetValue(Key(access), out var fact) ? fact.Type : null;
                if (type is null && !(access.Parent is ExpressionStatementSyntax statement && statement.Expression == access))
                {
                    // With no result, only the statement form is rewritten (an if); elsewhere (a lambda's or method's
                    // arrow body, a for loop's incrementor) the twin's fiber would be made and never awaited.
                    Report(Descriptors.ConditionalAccess, invocation, what);
                    return;
                }

                ConditionalCalls[access] = type;
            }
            else
            {
                Report(Descriptors.ConditionalAccess, invocation, what);
                return;
            }
        }
        else
        {
            Awaited.Add(invocation);
        }

        for (SyntaxNode? node = invocation, child = null; node is not null && node != _root; child = node, node = node.Parent)
        {
            switch (node)
            {
                case LockStatementSyntax @lock when child == @lock.Statement:
                    Report(Descriptors.SuspensionInLock, invocation, what);
                    return;
                case CatchFilterClauseSyntax:
                    Report(Descriptors.SuspensionInFilter, invocation, what);
                    return;
                case QueryExpressionSyntax:
                    Report(Descriptors.SuspensionInQuery, invocation, what);
                    return;
                case AnonymousFunctionExpressionSyntax function:
                    if (!IsFiberBodyArgument(function))
                    {
                        Report(Descriptors.SuspensionInLambda, invocation, what);
                    }

                    return;
                case LocalFunctionStatementSyntax:
                    return; // it suspends, so it is a fiber local function
            }
        }
    }

    /// <summary>A [Fiber] method named without being called must be a fiber body; anything else is an ordinary delegate.</summary>
    private void CheckMethodGroups(List<SimpleNameSyntax> names)
    {
        foreach (var name in names)
        {
            if (!_nameFacts.TryGetValue(Key(name), out var method) || !(method.IsFiberMethod || _fiberLocals.Contains(method.LocalStart)))
            {
                continue; // an ordinary name, or one the collector found is neither a [Fiber] method nor a local function
            }

            var expression = name.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? (ExpressionSyntax)name.Parent : name;
            var parent = Unparenthesized(expression).Parent;
            if (parent is ArgumentSyntax argument && IsFiberBodyArgument(argument))
            {
                continue;
            }

            if (parent is ArgumentSyntax && method.IsRunMain)
            {
                // A nested Fiber.Run(M, …) in a [Fiber] body: no interceptor reaches generated code, so name the twin,
                // which binds to the runtime's Run(Func<…, Fiber<T>>, …). A fiber local function is already one.
                if (method.LocalStart < 0)
                {
                    Renamed[name] = method.Name + "Async";
                }

                continue;
            }

            if (name.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" }))
            {
                continue;
            }

            Report(Descriptors.FiberMethodAsDelegate, name, name.Identifier.ValueText);
        }
    }

    private bool IsFiberBodyArgument(AnonymousFunctionExpressionSyntax function) =>
        Unparenthesized(function).Parent is ArgumentSyntax argument && IsFiberBodyArgument(argument);

    private bool IsFiberBodyArgument(ArgumentSyntax argument)
    {
        if (argument.Parent is not ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } list ||
            !_callFacts.TryGetValue(Key(invocation), out var method) || method.Kind != CallKind.DirectStyle)
        {
            return false;
        }

        var index = list.Arguments.IndexOf(argument);
        return index >= 0 && index < method.FiberBodyArguments.Count && method.FiberBodyArguments[index];
    }

    /// <summary>The name a node declares in a body (locals, lambda parameters, patterns, range variables…), if any.</summary>
    public static SyntaxToken DeclaredName(SyntaxNode node) => node switch
    {
        VariableDeclaratorSyntax variable => variable.Identifier,
        ParameterSyntax parameter => parameter.Identifier,
        SingleVariableDesignationSyntax designation => designation.Identifier,
        ForEachStatementSyntax forEach => forEach.Identifier,
        CatchDeclarationSyntax @catch => @catch.Identifier,
        LocalFunctionStatementSyntax local => local.Identifier,
        TypeParameterSyntax typeParameter => typeParameter.Identifier,
        FromClauseSyntax from => from.Identifier,
        LetClauseSyntax let => let.Identifier,
        JoinClauseSyntax join => join.Identifier,
        JoinIntoClauseSyntax into => into.Identifier,
        QueryContinuationSyntax continuation => continuation.Identifier,
        _ => default,
    };

    /// <summary>The parameter an argument is for: by name, else by position (the last one for a params array).</summary>
    public static IParameterSymbol? ParameterOf(ArgumentSyntax argument, IMethodSymbol method)
    {
        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText);
        }

        var index = argument.Parent is ArgumentListSyntax list ? list.Arguments.IndexOf(argument) : -1;
        if (index < 0 || method.Parameters.Length == 0)
        {
            return null;
        }

        return index < method.Parameters.Length ? method.Parameters[index] : method.Parameters[method.Parameters.Length - 1].IsParams ? method.Parameters[method.Parameters.Length - 1] : null;
    }

    /// <summary>The simple name that denotes the called method: the identifier to rename.</summary>
    public static SimpleNameSyntax? TargetName(ExpressionSyntax expression) => expression switch
    {
        SimpleNameSyntax simple => simple,
        MemberAccessExpressionSyntax access => access.Name,
        MemberBindingExpressionSyntax binding => binding.Name,
        _ => null,
    };

    /// <summary>Whether the call is a link of a <c>?.</c> chain (its receiver starts with <c>.x</c> or <c>[i]</c>).</summary>
    private static bool InConditionalChain(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case MemberBindingExpressionSyntax or ElementBindingExpressionSyntax:
                    return true;
                case MemberAccessExpressionSyntax access:
                    expression = access.Expression;
                    break;
                case InvocationExpressionSyntax call:
                    expression = call.Expression;
                    break;
                case ElementAccessExpressionSyntax element:
                    expression = element.Expression;
                    break;
                default:
                    return false;
            }
        }
    }

    private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    public static SyntaxNode Unparenthesized(SyntaxNode node)
    {
        while (node.Parent is ParenthesizedExpressionSyntax parent)
        {
            node = parent;
        }

        return node;
    }

    /// <summary>The nodes of a function body, not descending into nested lambdas and local functions.</summary>
    private static IEnumerable<SyntaxNode> DescendantsOfThisFunction(SyntaxNode function) =>
        function.DescendantNodes(n => n == function || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] arguments) =>
        Diagnostics.Add(_locator.Create(descriptor, node.Span, arguments));

    private void Report(DiagnosticDescriptor descriptor, SyntaxToken token, params string[] arguments) =>
        Diagnostics.Add(_locator.Create(descriptor, token.Span, arguments));
}
