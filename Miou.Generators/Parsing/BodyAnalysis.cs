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
/// The semantic pass over a [Fiber] method body: finds every suspension point and every fiber body, checks that each can
/// be made resumable, and records, as a plan keyed by syntax node, what the purely syntactic <see cref="BodyRewriter"/>
/// must change.
/// </summary>
internal sealed class BodyAnalysis
{
    private readonly SemanticModel _model;
    private readonly SyntaxNode _root;
    private readonly string _methodName;
    private readonly CancellationToken _cancellation;
    private readonly HashSet<IMethodSymbol> _fiberLocals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<InvocationExpressionSyntax, Call> _calls = new();
    private readonly Dictionary<InvocationExpressionSyntax, IMethodSymbol?> _invoked = new();
    private readonly SuspensionNames _names;
    private readonly int _lookupPosition;
    private readonly HashSet<string> _declaredInBody = new();
    private readonly HashSet<string> _localFunctionNames = new();

    private BodyAnalysis(SemanticModel model, SyntaxNode root, string methodName, CancellationToken cancellation)
    {
        _model = model;
        _root = root;
        _methodName = methodName;
        _cancellation = cancellation;
        _names = SuspensionNames.For(model.Compilation);
        _lookupPosition = root.SpanStart;
        // Names declared inside the body (locals, lambda parameters, patterns, range variables…) may shadow a type or a
        // member: calls through them are never resolved by lookup.
        foreach (var node in root.DescendantNodesAndSelf())
        {
            var declared = node switch
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
            if (node is LocalFunctionStatementSyntax function)
            {
                _localFunctionNames.Add(function.Identifier.ValueText);
            }

            if (declared.RawKind != 0)
            {
                _declaredInBody.Add(declared.ValueText);
            }
        }

        // The method's own parameters and type parameters shadow members too: never resolve those names by lookup.
        if (root.Parent is BaseMethodDeclarationSyntax declaration)
        {
            foreach (var parameter in declaration.ParameterList.Parameters)
            {
                _declaredInBody.Add(parameter.Identifier.ValueText);
            }
        }

        if (root.Parent is MethodDeclarationSyntax { TypeParameterList: { } typeParameters })
        {
            foreach (var typeParameter in typeParameters.Parameters)
            {
                _declaredInBody.Add(typeParameter.Identifier.ValueText);
            }
        }
    }

    /// <summary>Invocations to wrap in <c>await</c>.</summary>
    public HashSet<InvocationExpressionSyntax> Awaited { get; } = new();

    /// <summary>Simple names to rename (a direct-style method to its awaitable, a [Fiber] method to its twin).</summary>
    public Dictionary<SimpleNameSyntax, string> Renamed { get; } = new();

    /// <summary>Lambdas and anonymous methods passed as fiber bodies: they become <c>async</c>.</summary>
    public HashSet<AnonymousFunctionExpressionSyntax> AsyncFunctions { get; } = new();

    /// <summary>Local functions that suspend: they become <c>async Fiber&lt;T&gt;</c>, with this return type.</summary>
    public Dictionary<LocalFunctionStatementSyntax, string> FiberLocalFunctions { get; } = new();

    /// <summary><c>x?.M(…)</c> where M suspends: the result type of the whole access (or null for void).</summary>
    public Dictionary<ConditionalAccessExpressionSyntax, string?> ConditionalCalls { get; } = new();

    public List<DiagnosticInfo> Diagnostics { get; } = new();

    private readonly record struct Call(bool Suspends, string? NewName, IMethodSymbol Method, bool DirectStyle);

    public static BodyAnalysis Run(SemanticModel model, SyntaxNode root, string methodName, CancellationToken cancellation)
    {
        var analysis = new BodyAnalysis(model, root, methodName, cancellation);
        analysis.Analyze();
        return analysis;
    }

    private void Analyze()
    {
        CheckForbiddenStatements();
        FindFiberLocalFunctions();
        foreach (var invocation in _root.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            _cancellation.ThrowIfCancellationRequested();
            if (Classify(invocation) is not { } call)
            {
                continue;
            }

            _calls[invocation] = call;
            if (call.NewName is { } newName && TargetName(invocation.Expression) is { } name)
            {
                Renamed[name] = newName;
            }

            if (call.DirectStyle)
            {
                PlanFiberBodies(invocation, call.Method);
            }

            if (call.Suspends)
            {
                PlanSuspension(invocation);
            }
        }

        CheckMethodGroups();
        foreach (var local in _root.DescendantNodes().OfType<LocalFunctionStatementSyntax>())
        {
            if (_model.GetDeclaredSymbol(local, _cancellation) is IMethodSymbol symbol && _fiberLocals.Contains(symbol))
            {
                FiberLocalFunctions[local] = KnownSymbols.TwinReturnType(symbol);
            }
        }
    }

    private void CheckForbiddenStatements()
    {
        foreach (var node in DescendantsOfThisFunction(_root))
        {
            switch (node)
            {
                case YieldStatementSyntax:
                    Report(Descriptors.Iterator, node, _methodName);
                    break;
                case UnsafeStatementSyntax:
                    Report(Descriptors.Unsafe, node, _methodName);
                    break;
                case FixedStatementSyntax:
                    Report(Descriptors.Fixed, node, _methodName);
                    break;
            }
        }

        foreach (var node in _root.DescendantNodes())
        {
            if (node is LocalFunctionStatementSyntax local && local.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                Report(Descriptors.Unsafe, local.Identifier, _methodName);
            }
        }
    }

    /// <summary>
    /// A local function becomes a fiber if it is marked [Fiber], suspends, or is passed as a fiber body. Suspending is
    /// transitive through calls to other local functions, hence the fixpoint.
    /// </summary>
    private void FindFiberLocalFunctions()
    {
        var locals = new List<(LocalFunctionStatementSyntax Syntax, IMethodSymbol Symbol)>();
        foreach (var local in _root.DescendantNodes().OfType<LocalFunctionStatementSyntax>())
        {
            if (_model.GetDeclaredSymbol(local, _cancellation) is IMethodSymbol symbol)
            {
                locals.Add((local, symbol));
                if (KnownSymbols.HasAttribute(symbol, "FiberAttribute"))
                {
                    _fiberLocals.Add(symbol);
                }
            }
        }

        foreach (var argument in _root.DescendantNodes().OfType<ArgumentSyntax>())
        {
            if (Unparenthesize(argument.Expression) is SimpleNameSyntax candidate && _localFunctionNames.Contains(candidate.Identifier.ValueText) &&
                IsFiberBodyArgument(argument) && _model.GetSymbolInfo(argument.Expression, _cancellation).Symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction } group)
            {
                _fiberLocals.Add(group.OriginalDefinition);
            }
        }

        bool changed;
        do
        {
            changed = false;
            foreach (var (syntax, symbol) in locals)
            {
                if (_fiberLocals.Contains(symbol))
                {
                    continue;
                }

                foreach (var invocation in DescendantsOfThisFunction(syntax).OfType<InvocationExpressionSyntax>())
                {
                    if (Classify(invocation) is { Suspends: true })
                    {
                        _fiberLocals.Add(symbol);
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
        if (Invoked(invocation) is not { } method)
        {
            return null;
        }

        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return _fiberLocals.Contains(method.OriginalDefinition) ? new Call(true, null, method, false) : null;
        }

        if (KnownSymbols.IsFiberMethod(method))
        {
            return new Call(true, method.Name + "Async", method, false);
        }

        if (KnownSymbols.TryGetDirectStyle(method, out var awaitable, out var suspends))
        {
            return new Call(suspends, awaitable, method, true);
        }

        return null;
    }

    /// <summary>Fiber-body arguments of a direct-style call: lambdas become async, [Fiber] method groups their twins.</summary>
    private void PlanFiberBodies(InvocationExpressionSyntax invocation, IMethodSymbol method)
    {
        foreach (var syntax in invocation.ArgumentList.Arguments)
        {
            if (ParameterOf(syntax, method) is not { } parameter || !KnownSymbols.IsFiberBodyParameter(parameter))
            {
                continue;
            }

            var expression = Unparenthesize(syntax.Expression);
            if (expression is AnonymousFunctionExpressionSyntax function)
            {
                AsyncFunctions.Add(function);
            }
            else if (_model.GetSymbolInfo(expression, _cancellation).Symbol is IMethodSymbol group &&
                     (KnownSymbols.IsFiberMethod(group) || _fiberLocals.Contains(group.OriginalDefinition)))
            {
                if (group.MethodKind != MethodKind.LocalFunction && TargetName(expression) is { } name)
                {
                    Renamed[name] = group.Name + "Async";
                }
            }
            else
            {
                Report(Descriptors.ArbitraryFiberBody, syntax, method.ContainingType.Name + "." + method.Name);
            }
        }
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
                var type = _model.GetTypeInfo(access, _cancellation).Type;
                ConditionalCalls[access] = type is null || type.SpecialType == SpecialType.System_Void ? null : type.ToDisplayString(KnownSymbols.TypeFormat);
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
    private void CheckMethodGroups()
    {
        foreach (var name in _root.DescendantNodes().OfType<SimpleNameSyntax>())
        {
            if (name.Parent is MemberAccessExpressionSyntax access && access.Name != name)
            {
                continue;
            }

            var text = name.Identifier.ValueText;
            if (!_localFunctionNames.Contains(text) && !_names.MayMatter(text))
            {
                continue; // no [Fiber] method of this name exists: nothing to ask the semantic model
            }

            var expression = name.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? (ExpressionSyntax)name.Parent : name;
            if (expression.Parent is InvocationExpressionSyntax call && call.Expression == expression)
            {
                continue;
            }

            if (_model.GetSymbolInfo(name, _cancellation).Symbol is not IMethodSymbol method ||
                !(KnownSymbols.IsFiberMethod(method) || _fiberLocals.Contains(method.OriginalDefinition)))
            {
                continue;
            }

            var parent = Unparenthesized(expression).Parent;
            if (parent is ArgumentSyntax argument && IsFiberBodyArgument(argument))
            {
                continue;
            }

            if (parent is ArgumentSyntax main && IsRunMain(main))
            {
                // A nested Fiber.Run(M, …) in a [Fiber] body: no interceptor reaches generated code, so name the twin,
                // which binds to the runtime's Run(Func<…, Fiber<T>>, …). A fiber local function is already one.
                if (method.MethodKind != MethodKind.LocalFunction)
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

    /// <summary>Whether the argument is the <c>main</c> delegate of a <c>Miou.Fiber.Run</c> call.</summary>
    private bool IsRunMain(ArgumentSyntax argument) =>
        argument.Parent is ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } list &&
        (argument.NameColon is null ? list.Arguments.IndexOf(argument) == 0 : argument.NameColon.Name.Identifier.ValueText == "main") &&
        TargetName(invocation.Expression) is { Identifier.ValueText: "Run" } &&
        _model.GetSymbolInfo(invocation, _cancellation).Symbol is IMethodSymbol { Name: "Run" } run &&
        KnownSymbols.IsMiouType(run.ContainingType, "Fiber");

    private bool IsFiberBodyArgument(AnonymousFunctionExpressionSyntax function) =>
        Unparenthesized(function).Parent is ArgumentSyntax argument && IsFiberBodyArgument(argument);

    private bool IsFiberBodyArgument(ArgumentSyntax argument)
    {
        return argument.Parent?.Parent is InvocationExpressionSyntax invocation &&
               Invoked(invocation) is { } method &&
               KnownSymbols.TryGetDirectStyle(method, out _, out _) &&
               ParameterOf(argument, method) is { } parameter &&
               KnownSymbols.IsFiberBodyParameter(parameter);
    }

    /// <summary>The method an invocation binds to, asked of the semantic model once.</summary>
    private IMethodSymbol? Invoked(InvocationExpressionSyntax invocation)
    {
        if (!_invoked.TryGetValue(invocation, out var method))
        {
            method = Resolve(invocation);
            _invoked[invocation] = method;
        }

        return method;
    }

    /// <summary>
    /// The invoked method, binding the call only when syntax and declarations cannot tell. A call whose name no [Fiber] or
    /// [DirectStyle] method has is ordinary (null). A call <c>Type.N(…)</c> or <c>N(…)</c>, where every method the name
    /// can denote agrees on what the generator does with it (same attribute, same awaitable, same fiber-body arguments),
    /// resolves to any of them without overload resolution. Anything else asks the semantic model.
    /// </summary>
    private IMethodSymbol? Resolve(InvocationExpressionSyntax invocation)
    {
        if (TargetName(invocation.Expression) is not { } name)
        {
            return null; // a delegate invoked through an expression: never a suspension point
        }

        var text = name.Identifier.ValueText;
        if (_localFunctionNames.Contains(text))
        {
            return Bind(invocation);
        }

        if (!_names.MayMatter(text))
        {
            return null;
        }

        IEnumerable<ISymbol>? candidates = null;
        switch (invocation.Expression)
        {
            case MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } access when access.IsKind(SyntaxKind.SimpleMemberAccessExpression) &&
                !_declaredInBody.Contains(receiver.Identifier.ValueText):
                // The lookup returns every arity (Fiber and Fiber<T>); a name without type arguments denotes arity 0.
                var found = _model.LookupSymbols(_lookupPosition, name: receiver.Identifier.ValueText).Where(f => f is not INamedTypeSymbol { Arity: > 0 }).ToList();
                if (found.Count == 1 && (found[0] is IAliasSymbol { Target: INamedTypeSymbol aliased } ? aliased : found[0]) is INamedTypeSymbol type)
                {
                    // Every method of the name the type has, inherited ones included (overload resolution may pick those).
                    var members = new List<ISymbol>();
                    for (var t = type; t is not null; t = t.BaseType)
                    {
                        members.AddRange(t.GetMembers(text));
                    }

                    candidates = members;
                }

                break;
            case SimpleNameSyntax when !_declaredInBody.Contains(text):
                candidates = _model.LookupSymbols(_lookupPosition, name: text);
                break;
        }

        return candidates is not null && Representative(candidates, invocation.ArgumentList) is { } representative
            ? representative
            : Bind(invocation);
    }

    private IMethodSymbol? Bind(InvocationExpressionSyntax invocation) => _model.GetSymbolInfo(invocation, _cancellation).Symbol as IMethodSymbol;

    /// <summary>One of the candidates, if they are all methods that the generator treats alike for these arguments.</summary>
    private static IMethodSymbol? Representative(IEnumerable<ISymbol> candidates, ArgumentListSyntax arguments)
    {
        IMethodSymbol? first = null;
        string? firstShape = null;
        foreach (var candidate in candidates)
        {
            if (candidate is not IMethodSymbol method || method.MethodKind != MethodKind.Ordinary)
            {
                return null;
            }

            if (!Applicable(method, arguments.Arguments.Count))
            {
                continue;
            }

            var shape = Shape(method, arguments);
            if (first is null)
            {
                (first, firstShape) = (method, shape);
            }
            else if (shape != firstShape)
            {
                return null;
            }
        }

        return first;
    }

    private static bool Applicable(IMethodSymbol method, int count)
    {
        var parameters = method.Parameters;
        var hasParams = parameters.Length > 0 && parameters[parameters.Length - 1].IsParams;
        var required = 0;
        foreach (var parameter in parameters)
        {
            if (!parameter.IsOptional && !parameter.IsParams)
            {
                required++;
            }
        }

        return count >= required && (count <= parameters.Length || hasParams);
    }

    /// <summary>What the generator does with a call to <paramref name="method"/>: its kind, awaitable and fiber-body arguments.</summary>
    private static string Shape(IMethodSymbol method, ArgumentListSyntax arguments)
    {
        if (KnownSymbols.IsFiberMethod(method))
        {
            return "fiber";
        }

        if (!KnownSymbols.TryGetDirectStyle(method, out var awaitable, out var suspends))
        {
            return "";
        }

        var shape = new System.Text.StringBuilder(awaitable).Append(suspends ? "+" : "-");
        foreach (var argument in arguments.Arguments)
        {
            shape.Append(ParameterOf(argument, method) is { } parameter && KnownSymbols.IsFiberBodyParameter(parameter) ? 'b' : '.');
        }

        return shape.ToString();
    }

    /// <summary>The parameter an argument is for: by name, else by position (the last one for a params array).</summary>
    private static IParameterSymbol? ParameterOf(ArgumentSyntax argument, IMethodSymbol method)
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
    private static SimpleNameSyntax? TargetName(ExpressionSyntax expression) => expression switch
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

    private static SyntaxNode Unparenthesized(SyntaxNode node)
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
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, node.GetLocation(), arguments));

    private void Report(DiagnosticDescriptor descriptor, SyntaxToken token, params string[] arguments) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, token.GetLocation(), arguments));
}
