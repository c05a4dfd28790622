using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Miou.Generators.Diagnostics;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// The semantic step for one [Fiber]-marked declaration, run on every compilation change: checks the declaration, and
/// collects what the downstream <see cref="TwinBuilder"/> needs as a <see cref="FiberMethodInput"/> (the method's text,
/// its context and the facts about its calls). Everything here must stay cheap: it runs for every [Fiber] method of the
/// project on each edit, while the analysis and rewrite downstream rerun only for the methods whose input changed.
/// </summary>
internal static class FiberMethodParser
{
    public static FiberMethodInput Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        var name = context.TargetSymbol.Name;
        try
        {
            // Kept from the previous compilation unless the method's tree or a declaration of the compilation changed.
            var method = context.TargetNode;
            if (context.TargetSymbol is IMethodSymbol { PartialImplementationPart: { } implementation } &&
                implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellation) is MethodDeclarationSyntax implementationSyntax)
            {
                method = implementationSyntax;
            }

            return InputMemo.Get(context.TargetNode, method, context.SemanticModel.Compilation, () => ParseCore(context, cancellation));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator never throws: an exception would disable it for the whole project.
            var diagnostic = DiagnosticInfo.Create(Descriptors.InternalError, context.TargetNode.GetLocation(), name, e.GetType().Name + ": " + e.Message);
            return Done(new List<DiagnosticInfo> { diagnostic });
        }
    }

    private static FiberMethodInput ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
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

                return Done(diagnostics);
            case MethodDeclarationSyntax:
                break;
            default:
                Report(Descriptors.NotAMethod, context.TargetNode.GetLocation(), context.TargetSymbol.Name, "not an ordinary method");
                return Done(diagnostics);
        }

        if (context.TargetSymbol is not IMethodSymbol symbol)
        {
            return Done(diagnostics);
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
        CheckDeclaration(method, symbol, method.Identifier.GetLocation(), Report);
        var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        var facts = body is null
            ? new BodyFacts(default, default, default, default)
            : FactCollector.Collect(semanticModel, symbol, method, body, cancellation);

        var type = s_types.GetValue(symbol.ContainingType, t => new TypeContext(t));
        var text = method.SyntaxTree.GetText(cancellation);
        var source = new FiberMethodSource(
            Text: text.ToString(method.Span),
            LanguageVersion: (int)((CSharpParseOptions)method.SyntaxTree.Options).LanguageVersion,
            Position: Position(method),
            Declaration: new DeclarationFacts(
                Usings: FileUsings(method, text).ToEquatableArray(),
                NamespaceUsings: NamespaceUsings(method, text).ToEquatableArray(),
                Namespace: type.Namespace,
                Types: type.Types,
                NullableEnabled: semanticModel.GetNullableContext(method.SpanStart).AnnotationsEnabled(),
                TwinReturnType: KnownSymbols.TwinReturnType(symbol),
                IsPublicApi: IsVisibleOutside(symbol),
                Name: symbol.Name,
                Key: KnownSymbols.MethodKey(symbol),
                EntryBridge: EntryBridge(symbol)),
            Facts: facts,
            Diagnostics: diagnostics.ToEquatableArray());

        // Preprocessor directives inside the method depend on the file's #define lines and on its other #if blocks, which
        // the text alone does not carry: such a method is rewritten here, on the user's tree, instead of downstream.
        if (HasInnerDirectives(method))
        {
            return new FiberMethodInput(TwinBuilder.Build(method, source, cancellation), null);
        }

        return new FiberMethodInput(null, source);
    }

    /// <summary>Where the method and its body are in the user's file.</summary>
    public static SourcePosition Position(MethodDeclarationSyntax method)
    {
        var lines = method.SyntaxTree.GetText().Lines;
        var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        var start = lines.GetLinePosition(method.SpanStart);
        var bodyStart = body is null ? default : lines.GetLinePosition(body.SpanStart);
        return new SourcePosition(method.SyntaxTree.FilePath, method.SpanStart, start.Line, start.Character, bodyStart.Line + 1, bodyStart.Character);
    }

    private static bool HasInnerDirectives(MethodDeclarationSyntax method) =>
        method.ContainsDirectives && method.DescendantTrivia().Any(t => t.IsDirective && method.Span.Contains(t.SpanStart));

    private static FiberMethodInput Done(List<DiagnosticInfo> diagnostics) => new(new FiberMethodResult(null, diagnostics.ToEquatableArray()), null);

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
        else if (IsPointerOrRefStruct(symbol.ReturnType))
        {
            CheckType(symbol.ReturnType, "its return type", method.ReturnType.GetLocation(), name, report);
        }

        foreach (var parameter in symbol.Parameters)
        {
            if (parameter.RefKind == RefKind.None && !IsPointerOrRefStruct(parameter.Type))
            {
                continue; // the common case: no location to compute
            }

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

    private static bool IsPointerOrRefStruct(ITypeSymbol type) => type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || type.IsRefLikeType;

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

    private static IEnumerable<string> FileUsings(SyntaxNode node, SourceText text)
    {
        if (node.SyntaxTree.GetRoot() is not CompilationUnitSyntax unit)
        {
            yield break;
        }

        foreach (var extern_ in unit.Externs)
        {
            yield return text.ToString(extern_.Span);
        }

        foreach (var directive in unit.Usings)
        {
            if (directive.GlobalKeyword.IsKind(SyntaxKind.None))
            {
                yield return text.ToString(directive.Span);
            }
        }
    }

    private static IEnumerable<string> NamespaceUsings(SyntaxNode node, SourceText text)
    {
        foreach (var ns in node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse())
        {
            foreach (var extern_ in ns.Externs)
            {
                yield return text.ToString(extern_.Span);
            }

            foreach (var directive in ns.Usings)
            {
                yield return text.ToString(directive.Span);
            }
        }
    }

    /// <summary>
    /// What every [Fiber] method of a type shares, computed once per type symbol (so once per type and compilation):
    /// display strings are the costly part of the semantic step.
    /// </summary>
    private static readonly ConditionalWeakTable<INamedTypeSymbol, TypeContext> s_types = new();

    private sealed class TypeContext
    {
        public TypeContext(INamedTypeSymbol type)
        {
            Namespace = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
            Types = ContainingTypes(type).ToEquatableArray();
        }

        public string Namespace { get; }

        public EquatableArray<TypeDeclarationSpec> Types { get; }
    }
}
