using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// The semantic half of the body analysis, run on every compilation change: what each call and method-group name of a
/// [Fiber] body denotes, as <see cref="BodyFacts"/>. It asks only about names that can matter and resolves calls from
/// names and declarations, binding only when they cannot tell; the syntactic <see cref="BodyAnalysis"/> does the rest
/// downstream, cached.
/// </summary>
internal sealed class FactCollector
{
    private readonly SemanticModel _model;
    private readonly SyntaxNode _origin;
    private readonly CancellationToken _cancellation;
    private readonly SuspensionNames _names;
    private readonly SyntaxNode? _scope;
    private readonly INamedTypeSymbol? _type;
    private readonly int _lookupPosition;
    private readonly List<CallFact> _calls = new();
    private readonly List<NameFact> _nameFacts = new();
    private readonly List<LocalFunctionFact> _locals = new();
    private readonly List<ConditionalFact> _conditionals = new();

    private FactCollector(SemanticModel model, INamedTypeSymbol? type, SyntaxNode origin, SyntaxNode root, CancellationToken cancellation)
    {
        _type = type;
        _model = model;
        _origin = origin;
        _cancellation = cancellation;
        _names = SuspensionNames.For(model.Compilation);
        _scope = origin.Parent;
        _lookupPosition = root.SpanStart;
        _scan = s_scans.GetValue(root, _ => new BodyScan(origin, root));
    }

    /// <summary>
    /// The syntactic part of the collection, kept per body node: a tree that did not change keeps its nodes from one
    /// compilation to the next, so the walk over the body is done once, not on every edit of the project.
    /// </summary>
    private static readonly ConditionalWeakTable<SyntaxNode, BodyScan> s_scans = new();

    private readonly BodyScan _scan;

    /// <summary>What the collection needs to know about a body without the semantic model.</summary>
    private sealed class BodyScan
    {
        public BodyScan(SyntaxNode origin, SyntaxNode root)
        {
            foreach (var node in root.DescendantNodesAndSelf())
            {
                switch (node)
                {
                    case InvocationExpressionSyntax invocation:
                        Nodes.Add(invocation);
                        break;
                    case SimpleNameSyntax name when IsNameOfInterest(name):
                        Nodes.Add(name);
                        break;
                    case LocalFunctionStatementSyntax function:
                        Nodes.Add(function);
                        LocalFunctionNames.Add(function.Identifier.ValueText);
                        break;
                }

                var declared = BodyAnalysis.DeclaredName(node);
                if (declared.RawKind != 0)
                {
                    DeclaredNames.Add(declared.ValueText);
                }
            }

            // The method's own parameters and type parameters shadow members too: never resolve those names by lookup.
            if (origin is BaseMethodDeclarationSyntax declaration)
            {
                foreach (var parameter in declaration.ParameterList.Parameters)
                {
                    DeclaredNames.Add(parameter.Identifier.ValueText);
                }
            }

            if (origin is MethodDeclarationSyntax { TypeParameterList: { } typeParameters })
            {
                foreach (var typeParameter in typeParameters.Parameters)
                {
                    DeclaredNames.Add(typeParameter.Identifier.ValueText);
                }
            }
        }

        /// <summary>Invocations, names used without being called (not receivers), local functions: in body order.</summary>
        public List<SyntaxNode> Nodes { get; } = new();

        /// <summary>Names declared inside the body or as the method's (type) parameters: they may shadow a type or member.</summary>
        public HashSet<string> DeclaredNames { get; } = new();

        public HashSet<string> LocalFunctionNames { get; } = new();

        /// <summary>A name that may be a method group: not the receiver of a member access, not the called expression.</summary>
        private static bool IsNameOfInterest(SimpleNameSyntax name)
        {
            if (name.Parent is MemberAccessExpressionSyntax access && access.Name != name)
            {
                return false;
            }

            var expression = name.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? (ExpressionSyntax)name.Parent : name;
            return !(expression.Parent is InvocationExpressionSyntax call && call.Expression == expression);
        }
    }

    /// <summary>The facts of <paramref name="root"/> (a body of <paramref name="origin"/>), spans relative to <paramref name="origin"/>.</summary>
    public static BodyFacts Collect(SemanticModel model, IMethodSymbol method, SyntaxNode origin, SyntaxNode root, CancellationToken cancellation)
    {
        var collector = new FactCollector(model, method.ContainingType, origin, root, cancellation);
        collector.Run();
        return new BodyFacts(
            collector._calls.ToEquatableArray(),
            collector._nameFacts.ToEquatableArray(),
            collector._locals.ToEquatableArray(),
            collector._conditionals.ToEquatableArray());
    }

    private int Relative(int position) => position - _origin.SpanStart;

    private void Run()
    {
        foreach (var node in _scan.Nodes)
        {
            _cancellation.ThrowIfCancellationRequested();
            switch (node)
            {
                case InvocationExpressionSyntax invocation:
                    CollectCall(invocation);
                    break;
                case SimpleNameSyntax name:
                    CollectName(name);
                    break;
                case LocalFunctionStatementSyntax local when _model.GetDeclaredSymbol(local, _cancellation) is IMethodSymbol symbol:
                    _locals.Add(new LocalFunctionFact(Relative(local.SpanStart), KnownSymbols.HasAttribute(symbol, "FiberAttribute"), KnownSymbols.TwinReturnType(symbol)));
                    break;
            }
        }
    }

    private void CollectCall(InvocationExpressionSyntax invocation)
    {
        if (FactFor(invocation) is not { } fact)
        {
            return;
        }

        var isLambdaResult = fact.Kind != CallKind.DirectStyle && KnownSymbols.IsLambdaResult(_model, invocation, _cancellation);
        _calls.Add(fact with { Start = Relative(invocation.SpanStart), Length = invocation.Span.Length, IsLambdaResult = isLambdaResult });
        if (invocation.Expression is MemberBindingExpressionSyntax &&
            invocation.Parent is ConditionalAccessExpressionSyntax access && access.WhenNotNull == invocation)
        {
            var result = _model.GetTypeInfo(access, _cancellation).Type;
            var text = result is null || result.SpecialType == SpecialType.System_Void ? null : result.ToDisplayString(KnownSymbols.TypeFormat);
            _conditionals.Add(new ConditionalFact(Relative(access.SpanStart), access.Span.Length, text));
        }
    }

    /// <summary>
    /// What the invocation calls, spans not yet set: null for an ordinary call. A call whose name no [Fiber] or
    /// [DirectStyle] method has is ordinary. A call <c>Type.N(…)</c> or <c>N(…)</c>, where every method the name can
    /// denote agrees on what the generator does with it (same attribute, same awaitable, same fiber-body arguments),
    /// resolves to any of them without overload resolution, and the answer is kept for the scope (see
    /// <see cref="Lookup"/>). Anything else asks the semantic model.
    /// </summary>
    private CallFact? FactFor(InvocationExpressionSyntax invocation)
    {
        if (BodyAnalysis.TargetName(invocation.Expression) is not { } name)
        {
            return null; // a delegate invoked through an expression: never a suspension point
        }

        var text = name.Identifier.ValueText;
        if (_scan.LocalFunctionNames.Contains(text))
        {
            return Fact(Bind(invocation), invocation.ArgumentList);
        }

        if (!_names.MayMatter(text))
        {
            return null;
        }

        var receiver = invocation.Expression switch
        {
            MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax r } access when access.IsKind(SyntaxKind.SimpleMemberAccessExpression) &&
                !_scan.DeclaredNames.Contains(r.Identifier.ValueText) => r.Identifier.ValueText,
            SimpleNameSyntax when !_scan.DeclaredNames.Contains(text) => "",
            _ => null,
        };
        if (receiver is null || _scope is null)
        {
            return Fact(Bind(invocation), invocation.ArgumentList);
        }

        // Type.N(…): when no containing type declares or inherits a member named Type, what Type denotes depends only on
        // the namespaces and usings around the declaration, so the files that share them share one lookup.
        var scope = receiver.Length > 0 && !IsMemberName(receiver)
            ? s_importContexts.GetValue(_scope, ImportContext)
            : (object)(_scope.SyntaxTree, _scope.SpanStart);
        var resolution = _names.Resolution(scope, receiver, text, ArgumentsKey(invocation.ArgumentList), () =>
            Candidates(receiver, text) is { } candidates && Representative(candidates, invocation.ArgumentList) is { } representative
                ? new SuspensionNames.CallResolution(true, Fact(representative, invocation.ArgumentList))
                : new SuspensionNames.CallResolution(false, null));
        return resolution.ByLookup ? resolution.Fact : Fact(Bind(invocation), invocation.ArgumentList);
    }

    private static readonly ConditionalWeakTable<SyntaxNode, string> s_importContexts = new();

    /// <summary>
    /// The text of the namespace declarations around a type declaration, with their usings and the file's: two type
    /// declarations with the same text look a name up alike, once their own members are ruled out.
    /// </summary>
    private static string ImportContext(SyntaxNode scope)
    {
        var text = new System.Text.StringBuilder("imports:");
        foreach (var node in scope.Ancestors())
        {
            switch (node)
            {
                case BaseNamespaceDeclarationSyntax ns:
                    text.Append("namespace ").Append(ns.Name.ToString()).Append('{');
                    AppendDirectives(text, ns.Externs, ns.Usings);
                    text.Append('}');
                    break;
                case CompilationUnitSyntax unit:
                    AppendDirectives(text, unit.Externs, unit.Usings);
                    break;
            }
        }

        return text.ToString();
    }

    private static void AppendDirectives(System.Text.StringBuilder text, SyntaxList<ExternAliasDirectiveSyntax> externs, SyntaxList<UsingDirectiveSyntax> usings)
    {
        foreach (var directive in externs)
        {
            text.Append(directive.ToString()).Append('\n');
        }

        foreach (var directive in usings)
        {
            text.Append(directive.ToString()).Append('\n');
        }
    }

    /// <summary>Whether a containing type declares or inherits a member, nested type or type parameter of this name.</summary>
    private bool IsMemberName(string name)
    {
        for (var type = _type; type is not null; type = type.ContainingType)
        {
            foreach (var parameter in type.TypeParameters)
            {
                if (parameter.Name == name)
                {
                    return true;
                }
            }

            for (var t = type; t is not null; t = t.BaseType)
            {
                if (!t.GetMembers(name).IsEmpty)
                {
                    return true;
                }
            }

            foreach (var implemented in type.AllInterfaces)
            {
                if (!implemented.GetMembers(name).IsEmpty)
                {
                    return true;
                }
            }
        }

        return _type is null;
    }

    /// <summary>What resolution by lookup depends on in the arguments: their number and names.</summary>
    private static string ArgumentsKey(ArgumentListSyntax arguments)
    {
        var key = arguments.Arguments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < arguments.Arguments.Count; i++)
        {
            if (arguments.Arguments[i].NameColon is { } named)
            {
                key += "," + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + named.Name.Identifier.ValueText;
            }
        }

        return key;
    }

    /// <summary>Every method <c>receiver.name</c> (or <c>name</c> when the receiver is empty) can denote, or null when lookup cannot tell.</summary>
    private IEnumerable<ISymbol>? Candidates(string receiver, string name)
    {
        if (receiver.Length == 0)
        {
            return Lookup(name);
        }

        // The lookup returns every arity (Fiber and Fiber<T>); a name without type arguments denotes arity 0.
        var found = Lookup(receiver).Where(f => f is not INamedTypeSymbol { Arity: > 0 }).ToList();
        if (found.Count != 1 || (found[0] is IAliasSymbol { Target: INamedTypeSymbol aliased } ? aliased : found[0]) is not INamedTypeSymbol type)
        {
            return null;
        }

        // Every method of the name the type has, inherited ones included (overload resolution may pick those).
        var members = new List<ISymbol>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            members.AddRange(t.GetMembers(name));
        }

        return members;
    }

    /// <summary>The fact for a call to <paramref name="method"/> (spans not set), or null when the call is ordinary.</summary>
    private CallFact? Fact(IMethodSymbol? method, ArgumentListSyntax arguments)
    {
        if (method is null)
        {
            return null;
        }

        var display = method.ContainingType is { } type ? type.Name + "." + method.Name : method.Name;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            var declaration = method.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault();
            return declaration is null || declaration.SyntaxTree != _origin.SyntaxTree
                ? null
                : new CallFact(0, 0, CallKind.LocalFunction, "", true, display, default, Relative(declaration.Span.Start));
        }

        if (KnownSymbols.IsFiberMethod(method))
        {
            return new CallFact(0, 0, CallKind.Fiber, method.Name + "Async", true, display, default, -1, KnownSymbols.ReducedExtensionType(method, method.Name + "Async"));
        }

        if (KnownSymbols.TryGetDirectStyle(method, out var awaitable, out var suspends))
        {
            var bodies = arguments.Arguments.Select(a => BodyAnalysis.ParameterOf(a, method) is { } p && KnownSymbols.IsFiberBodyParameter(p));
            return new CallFact(0, 0, CallKind.DirectStyle, awaitable, suspends, display, bodies.ToEquatableArray(), -1, KnownSymbols.ReducedExtensionType(method, awaitable));
        }

        return null;
    }

    /// <summary>A name used without being called that can denote a [Fiber] method or a local function: what it denotes.</summary>
    private void CollectName(SimpleNameSyntax name)
    {
        var text = name.Identifier.ValueText;
        if (!_scan.LocalFunctionNames.Contains(text) && !_names.MayMatter(text))
        {
            return; // no [Fiber] method of this name exists: nothing to ask the semantic model
        }

        var expression = name.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? (ExpressionSyntax)name.Parent : name;
        if (_model.GetSymbolInfo(name, _cancellation).Symbol is not IMethodSymbol method)
        {
            return;
        }

        var isLocal = method.MethodKind == MethodKind.LocalFunction;
        var isFiber = !isLocal && KnownSymbols.IsFiberMethod(method);
        var counterpart = isLocal || isFiber ? "" : KnownSymbols.FiberCounterpart(method);
        if (!isLocal && !isFiber && counterpart.Length == 0)
        {
            return;
        }

        var localStart = -1;
        if (isLocal)
        {
            var declaration = method.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault();
            if (declaration is null || declaration.SyntaxTree != _origin.SyntaxTree)
            {
                return;
            }

            localStart = Relative(declaration.Span.Start);
        }

        var isRunMain = BodyAnalysis.Unparenthesized(expression).Parent is ArgumentSyntax argument && IsRunMain(argument);
        _nameFacts.Add(new NameFact(Relative(name.SpanStart), name.Span.Length, isFiber, method.Name, localStart, isRunMain, counterpart));
    }

    /// <summary>Whether the argument is the <c>main</c> delegate of a <c>Miou.Fiber.Run</c> call.</summary>
    private bool IsRunMain(ArgumentSyntax argument) =>
        argument.Parent is ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } list &&
        (argument.NameColon is null ? list.Arguments.IndexOf(argument) == 0 : argument.NameColon.Name.Identifier.ValueText == "main") &&
        BodyAnalysis.TargetName(invocation.Expression) is { Identifier.ValueText: "Run" } &&
        _model.GetSymbolInfo(invocation, _cancellation).Symbol is IMethodSymbol { Name: "Run" } run &&
        KnownSymbols.IsMiouType(run.ContainingType, "Fiber");

    /// <summary>
    /// What a name means at the start of the body. Names declared in the body and the method's parameters are never looked
    /// up, so the answer is the same for every method of the type declaration: one lookup per declaration and compilation.
    /// </summary>
    private IEnumerable<ISymbol> Lookup(string name) =>
        _scope is null ? _model.LookupSymbols(_lookupPosition, name: name) : _names.Lookup(_model, _scope, _lookupPosition, name);

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
            shape.Append(BodyAnalysis.ParameterOf(argument, method) is { } parameter && KnownSymbols.IsFiberBodyParameter(parameter) ? 'b' : '.');
        }

        return shape.ToString();
    }
}
