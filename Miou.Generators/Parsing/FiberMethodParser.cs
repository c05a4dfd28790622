using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Miou.Generators.Diagnostics;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>Turns one [Fiber]-marked declaration into a <see cref="FiberMethodResult"/>: a spec to emit, or diagnostics.</summary>
internal static class FiberMethodParser
{
    public static FiberMethodResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        var name = context.TargetSymbol.Name;
        try
        {
            return ParseCore(context, cancellation);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator never throws: an exception would disable it for the whole project.
            var diagnostic = DiagnosticInfo.Create(Descriptors.InternalError, context.TargetNode.GetLocation(), name, e.GetType().Name + ": " + e.Message);
            return new FiberMethodResult(null, new[] { diagnostic }.ToEquatableArray());
        }
    }

    private static FiberMethodResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        void Report(DiagnosticDescriptor descriptor, Location location, params string[] args) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

        switch (context.TargetNode)
        {
            case LocalFunctionStatementSyntax local:
                // Inside a [Fiber] method the enclosing method's rewrite handles it; elsewhere it cannot be reached.
                if (!local.Ancestors().OfType<MethodDeclarationSyntax>().Any(m => HasFiberAttribute(context.SemanticModel, m, cancellation)))
                {
                    Report(Descriptors.NotAMethod, local.Identifier.GetLocation(), local.Identifier.ValueText, "a local function outside a [Fiber] method");
                }

                return Result(null, diagnostics);
            case MethodDeclarationSyntax:
                break;
            default:
                Report(Descriptors.NotAMethod, context.TargetNode.GetLocation(), context.TargetSymbol.Name, "not an ordinary method");
                return Result(null, diagnostics);
        }

        if (context.TargetSymbol is not IMethodSymbol symbol)
        {
            return Result(null, diagnostics);
        }

        // A partial method: the body is on the implementation part.
        var method = (MethodDeclarationSyntax)context.TargetNode;
        if (symbol.PartialImplementationPart is { } implementation &&
            implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellation) is MethodDeclarationSyntax implementationSyntax)
        {
            method = implementationSyntax;
        }

        var semanticModel = method.SyntaxTree == context.SemanticModel.SyntaxTree
            ? context.SemanticModel
            : context.SemanticModel.Compilation.GetSemanticModel(method.SyntaxTree);
        var identifier = method.Identifier.GetLocation();
        var methodName = symbol.Name;

        CheckDeclaration(method, symbol, identifier, Report);
        var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        BodyAnalysis? plan = null;
        if (body is not null)
        {
            plan = BodyAnalysis.Run(semanticModel, body, methodName, cancellation);
            diagnostics.AddRange(plan.Diagnostics);
        }

        if (diagnostics.Count > 0)
        {
            return Result(null, diagnostics);
        }

        var rewritten = body is null ? "" : BodyRewriter.Rewrite(body, plan!).WithoutTrivia().ToFullString();
        if (method.ExpressionBody is not null)
        {
            rewritten += ";";
        }

        var bodyStart = body?.GetLocation().GetLineSpan().StartLinePosition ?? default;
        var spec = new FiberMethodSpec(
            HintName: HintName(symbol),
            Usings: FileUsings(method).ToEquatableArray(),
            NamespaceUsings: NamespaceUsings(method).ToEquatableArray(),
            Namespace: symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString(),
            Types: ContainingTypes(symbol.ContainingType).ToEquatableArray(),
            NullableEnabled: semanticModel.GetNullableContext(method.SpanStart).AnnotationsEnabled(),
            Signature: TwinSignature(method, symbol, isAsync: body is not null),
            IsPublicApi: IsVisibleOutside(symbol),
            OriginalName: methodName,
            Body: rewritten,
            FilePath: method.SyntaxTree.FilePath,
            BodyLine: bodyStart.Line + 1,
            BodyColumn: bodyStart.Character,
            Key: KnownSymbols.MethodKey(symbol),
            EntryBridge: EntryBridge(symbol));
        return Result(spec, diagnostics);
    }

    private static void CheckDeclaration(MethodDeclarationSyntax method, IMethodSymbol symbol, Location identifier, Action<DiagnosticDescriptor, Location, string[]> report)
    {
        var name = symbol.Name;
        foreach (var type in method.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                report(Descriptors.NotPartial, identifier, new[] { name, type.Identifier.ValueText });
                break;
            }
        }

        if (method.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            report(Descriptors.AsyncMethod, identifier, new[] { name });
        }

        if (method.Modifiers.Any(SyntaxKind.UnsafeKeyword) || method.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => t.Modifiers.Any(SyntaxKind.UnsafeKeyword)))
        {
            report(Descriptors.Unsafe, identifier, new[] { name });
        }

        if (symbol.ReturnsByRef || symbol.ReturnsByRefReadonly)
        {
            report(Descriptors.RefParameter, method.ReturnType.GetLocation(), new[] { name, "its ref return" });
        }
        else
        {
            CheckType(symbol.ReturnType, "its return type", method.ReturnType.GetLocation(), name, report);
        }

        foreach (var parameter in symbol.Parameters)
        {
            var location = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? identifier;
            var what = $"parameter '{parameter.Name}'";
            if (parameter.RefKind != RefKind.None)
            {
                report(Descriptors.RefParameter, location, new[] { name, what + ", passed by reference," });
            }
            else
            {
                CheckType(parameter.Type, what, location, name, report);
            }
        }

        if (!symbol.IsStatic && symbol.ContainingType.TypeKind == TypeKind.Struct)
        {
            report(Descriptors.StructInstance, identifier, new[] { name, symbol.ContainingType.Name });
        }

        if (symbol.IsOverride && symbol.OverriddenMethod is { } overridden && !KnownSymbols.IsFiberMethod(overridden))
        {
            report(Descriptors.OverrideOfNonFiber, identifier, new[] { name, overridden.ToDisplayString(), name + "Async" });
        }

        foreach (var implemented in symbol.ExplicitInterfaceImplementations)
        {
            if (!KnownSymbols.IsFiberMethod(implemented))
            {
                report(Descriptors.OverrideOfNonFiber, identifier, new[] { name, implemented.ToDisplayString(), name + "Async" });
            }
        }

        var twin = method.Identifier.ValueText + "Async";
        var members = symbol.ExplicitInterfaceImplementations.Length == 0 ? symbol.ContainingType.GetMembers(twin) : default;
        foreach (var member in members.IsDefault ? Enumerable.Empty<ISymbol>() : members)
        {
            if (member is not IMethodSymbol other || SameParameters(other, symbol))
            {
                report(Descriptors.TwinNameClash, identifier, new[] { symbol.ContainingType.Name, twin, name });
                break;
            }
        }
    }

    private static void CheckType(ITypeSymbol type, string what, Location location, string name, Action<DiagnosticDescriptor, Location, string[]> report)
    {
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
        {
            report(Descriptors.Pointer, location, new[] { name, what, type.ToDisplayString() });
        }
        else if (type.IsRefLikeType)
        {
            report(Descriptors.RefStruct, location, new[] { name, what, type.ToDisplayString() });
        }
    }

    private static bool SameParameters(IMethodSymbol a, IMethodSymbol b) =>
        a.Parameters.Length == b.Parameters.Length &&
        a.TypeParameters.Length == b.TypeParameters.Length &&
        a.Parameters.Zip(b.Parameters, (x, y) => x.Type.ToDisplayString() == y.Type.ToDisplayString()).All(same => same);

    private static bool HasFiberAttribute(SemanticModel model, MethodDeclarationSyntax method, CancellationToken cancellation) =>
        method.SyntaxTree == model.SyntaxTree && model.GetDeclaredSymbol(method, cancellation) is { } symbol && KnownSymbols.IsFiberMethod(symbol);

    private static FiberMethodResult Result(FiberMethodSpec? spec, List<DiagnosticInfo> diagnostics) =>
        new(spec, diagnostics.ToEquatableArray());

    /// <summary>The twin's declaration: the user's modifiers, Fiber return type, name + "Async", the user's parameters.</summary>
    private static string TwinSignature(MethodDeclarationSyntax method, IMethodSymbol symbol, bool isAsync)
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

        text.Append(KnownSymbols.TwinReturnType(symbol)).Append(' ');
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

    /// <summary>
    /// An internal static bridge to the twin of a private or protected method, so that the interceptor of
    /// <c>Fiber.Run(Method)</c> (which lives in its own namespace) can start it. Empty when not needed or not possible.
    /// </summary>
    private static string EntryBridge(IMethodSymbol symbol)
    {
        if (KnownSymbols.IsAssemblyAccessible(symbol) || !CanHaveBridge(symbol))
        {
            return "";
        }

        var text = new StringBuilder("internal static ");
        text.Append(KnownSymbols.TwinReturnType(symbol)).Append(' ').Append(KnownSymbols.EntryBridgeName(symbol));
        var typeParameters = symbol.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", symbol.TypeParameters.Select(t => t.Name)) + ">";
        text.Append(typeParameters).Append('(');
        var parameters = new List<string>();
        var arguments = new List<string>();
        if (!symbol.IsStatic)
        {
            parameters.Add(symbol.ContainingType.ToDisplayString(KnownSymbols.TypeFormat) + " self");
        }

        foreach (var parameter in symbol.Parameters)
        {
            var escaped = Escape(parameter.Name);
            parameters.Add(parameter.Type.ToDisplayString(KnownSymbols.TypeFormat) + " " + escaped);
            arguments.Add(escaped);
        }

        text.Append(string.Join(", ", parameters)).Append(") => ");
        text.Append(symbol.IsStatic ? "" : "self.").Append(symbol.Name).Append("Async").Append(typeParameters);
        text.Append('(').Append(string.Join(", ", arguments)).Append(");");
        return text.ToString();
    }

    /// <summary>A bridge needs a non-generic, assembly-visible containing type and parameters it can name.</summary>
    public static bool CanHaveBridge(IMethodSymbol symbol)
    {
        for (var type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType || !KnownSymbols.IsAssemblyAccessible(type))
            {
                return false;
            }
        }

        return symbol.TypeParameters.Length == 0 &&
               symbol.ReducedFrom is null && !symbol.IsExtensionMethod &&
               symbol.Parameters.All(p => KnownSymbols.IsNameable(p.Type)) &&
               (symbol.ReturnsVoid || KnownSymbols.IsNameable(symbol.ReturnType));
    }

    public static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static bool IsVisibleOutside(IMethodSymbol symbol)
    {
        for (ISymbol? s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<TypeDeclarationSpec> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<TypeDeclarationSpec>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            var keyword = t.TypeKind switch
            {
                TypeKind.Interface => "interface",
                TypeKind.Struct => t.IsRecord ? "record struct" : "struct",
                _ => t.IsRecord ? "record" : "class",
            };
            var name = t.TypeParameters.Length == 0 ? t.Name : t.Name + "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";
            chain.Add(new TypeDeclarationSpec(keyword, name, t.IsStatic));
        }

        chain.Reverse();
        return chain;
    }

    private static IEnumerable<string> FileUsings(SyntaxNode node)
    {
        if (node.SyntaxTree.GetRoot() is not CompilationUnitSyntax unit)
        {
            yield break;
        }

        foreach (var extern_ in unit.Externs)
        {
            yield return extern_.WithoutTrivia().ToString();
        }

        foreach (var directive in unit.Usings)
        {
            if (directive.GlobalKeyword.IsKind(SyntaxKind.None))
            {
                yield return directive.WithoutTrivia().ToString();
            }
        }
    }

    private static IEnumerable<string> NamespaceUsings(SyntaxNode node)
    {
        foreach (var ns in node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse())
        {
            foreach (var extern_ in ns.Externs)
            {
                yield return extern_.WithoutTrivia().ToString();
            }

            foreach (var directive in ns.Usings)
            {
                yield return directive.WithoutTrivia().ToString();
            }
        }
    }

    private static string HintName(IMethodSymbol symbol)
    {
        var type = symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var safe = new StringBuilder();
        foreach (var c in type + "." + symbol.Name)
        {
            safe.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        }

        return safe + "." + KnownSymbols.Fnv(symbol.ToDisplayString()) + ".g.cs";
    }
}
