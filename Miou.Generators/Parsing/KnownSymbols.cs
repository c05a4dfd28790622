using Microsoft.CodeAnalysis;

namespace Miou.Generators.Parsing;

/// <summary>
/// Reads the runtime's attributes: the generator keeps no table of runtime methods. A method is a suspension point when it
/// is a [Fiber] method or carries [DirectStyle], which names its awaitable counterpart.
/// </summary>
internal static class KnownSymbols
{
    public const string FiberAttribute = "Miou.FiberAttribute";

    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static bool IsFiberMethod(IMethodSymbol method) => HasAttribute(Definition(method), "FiberAttribute");

    public static bool IsFiberBodyParameter(IParameterSymbol parameter) => HasAttribute(parameter.OriginalDefinition, "FiberBodyAttribute");

    /// <summary>The [DirectStyle] attribute's awaitable name and Suspends flag, if the method has one.</summary>
    public static bool TryGetDirectStyle(IMethodSymbol method, out string awaitable, out bool suspends)
    {
        awaitable = "";
        suspends = true;
        foreach (var attribute in Definition(method).GetAttributes())
        {
            if (!IsMiou(attribute.AttributeClass, "DirectStyleAttribute"))
            {
                continue;
            }

            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string name)
            {
                return false;
            }

            awaitable = name;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Suspends" && named.Value.Value is bool value)
                {
                    suspends = value;
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// For an extension method called in reduced form, whose counterpart <paramref name="counterpart"/> (the twin, or the
    /// [DirectStyle] awaitable) is an extension method of the same type: that type, fully qualified, so that the call can
    /// be written in static form. Empty when the call is not in reduced form or the static form cannot be written.
    /// </summary>
    public static string ReducedExtensionType(IMethodSymbol method, string counterpart)
    {
        if (method.ReducedFrom is not { } reduced || reduced.ContainingType is not { IsFileLocal: false } type || !IsAssemblyAccessible(type))
        {
            return "";
        }

        if (!IsFiberMethod(method))
        {
            // A [DirectStyle] awaitable is looked up by name: static form only when it is an extension of the same type.
            var found = false;
            foreach (var member in type.GetMembers(counterpart))
            {
                found |= member is IMethodSymbol { IsExtensionMethod: true };
            }

            if (!found)
            {
                return "";
            }
        }

        return type.ToDisplayString(TypeFormat);
    }

    /// <summary>
    /// Whether <paramref name="invocation"/> is the whole body of a lambda (see <see cref="BodyAnalysis.LambdaOfSoleCall"/>)
    /// whose delegate returns exactly the call's type, or void when the call is void: no conversion is lost when the lambda
    /// returns the twin's fiber instead of awaiting it.
    /// </summary>
    public static bool IsLambdaResult(SemanticModel model, Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation, System.Threading.CancellationToken cancellation)
    {
        if (BodyAnalysis.LambdaOfSoleCall(invocation) is not { } lambda ||
            model.GetTypeInfo(lambda, cancellation).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke } ||
            model.GetTypeInfo(invocation, cancellation).Type is not { } type)
        {
            return false;
        }

        return invoke.ReturnsVoid
            ? type.SpecialType == SpecialType.System_Void
            : !invoke.ReturnsByRef && !invoke.ReturnsByRefReadonly && SymbolEqualityComparer.IncludeNullability.Equals(invoke.ReturnType, type);
    }

    /// <summary>
    /// For a suspending [DirectStyle] method (not in reduced form): the name of its counterpart when that is the only
    /// method of the name with the same parameter types and staticness, and returns <c>Fiber</c> for a void method or
    /// <c>Fiber&lt;T&gt;</c> for a method returning T, so that its method group can replace the method's as a fiber body.
    /// Empty otherwise.
    /// </summary>
    public static string FiberCounterpart(IMethodSymbol method)
    {
        if (method.ReducedFrom is not null || !TryGetDirectStyle(method, out var name, out var suspends) || !suspends)
        {
            return "";
        }

        IMethodSymbol? found = null;
        foreach (var member in method.ContainingType.GetMembers(name))
        {
            if (member is IMethodSymbol candidate && candidate.IsStatic == method.IsStatic && candidate.Arity == method.Arity &&
                candidate.Parameters.Length == method.Parameters.Length)
            {
                if (found is not null)
                {
                    return ""; // overloads: let the user's lambda pick
                }

                found = candidate;
            }
        }

        if (found is null || found.ReturnType is not INamedTypeSymbol { Name: "Fiber" } fiber || !IsMiouType(fiber, "Fiber"))
        {
            return "";
        }

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (!SymbolEqualityComparer.Default.Equals(method.Parameters[i].Type, found.Parameters[i].Type) || method.Parameters[i].RefKind != found.Parameters[i].RefKind)
            {
                return "";
            }
        }

        var matches = method.ReturnsVoid
            ? fiber.Arity == 0
            : fiber.Arity == 1 && SymbolEqualityComparer.Default.Equals(fiber.TypeArguments[0], method.ReturnType);
        return matches ? name : "";
    }

    /// <summary>The declaration the attributes are on: the unconstructed, unreduced, defining part.</summary>
    public static IMethodSymbol Definition(IMethodSymbol method)
    {
        var m = method.ReducedFrom ?? method;
        m = m.OriginalDefinition;
        return m.PartialDefinitionPart ?? m;
    }

    public static bool HasAttribute(ISymbol symbol, string name)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (IsMiou(attribute.AttributeClass, name))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsMiouType(ITypeSymbol? type, string name) => type is INamedTypeSymbol named && IsMiou(named, name);

    private static bool IsMiou(INamedTypeSymbol? type, string name) =>
        type is not null && type.Name == name && type.ContainingType is null &&
        type.ContainingNamespace is { Name: "Miou" } ns && ns.ContainingNamespace is { IsGlobalNamespace: true };

    /// <summary>Whether code in a top-level type of the same assembly can name <paramref name="symbol"/>.</summary>
    public static bool IsAssemblyAccessible(ISymbol symbol)
    {
        for (var s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether generated code in a top-level type can write <paramref name="type"/> (no type parameter, nothing private).</summary>
    public static bool IsNameable(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => false,
        IArrayTypeSymbol array => IsNameable(array.ElementType),
        IPointerTypeSymbol or IFunctionPointerTypeSymbol or IErrorTypeSymbol => false,
        INamedTypeSymbol named => IsAssemblyAccessible(named) && AllNameable(named),
        _ => false,
    };

    private static bool AllNameable(INamedTypeSymbol named)
    {
        foreach (var argument in named.TypeArguments)
        {
            if (!IsNameable(argument))
            {
                return false;
            }
        }

        return named.ContainingType is null || AllNameable(named.ContainingType);
    }

    /// <summary>The generated twin's return type: <c>Fiber</c> for void, <c>Fiber&lt;T&gt;</c> otherwise.</summary>
    public static string TwinReturnType(IMethodSymbol method) =>
        method.ReturnsVoid ? "global::Miou.Fiber" : "global::Miou.Fiber<" + method.ReturnType.ToDisplayString(TypeFormat) + ">";

    /// <summary>The name of the internal bridge that lets interceptors reach the twin of a private or protected method.</summary>
    public static string EntryBridgeName(IMethodSymbol method)
    {
        var definition = Definition(method);
        return "__Miou_Entry_" + definition.Name + "_" + Fnv(MethodKey(definition));
    }

    /// <summary>
    /// Identifies a [Fiber] method across the two pipelines (twins and interceptors) and in generated names: its
    /// documentation comment id, unique per method and much cheaper than a display string (this runs on every edit).
    /// </summary>
    public static string MethodKey(IMethodSymbol method)
    {
        var definition = Definition(method);
        return definition.GetDocumentationCommentId() ?? definition.ToDisplayString();
    }

    /// <summary>A short stable hash (FNV-1a, 32 bits) as hex, for generated names.</summary>
    public static string Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash.ToString("x8");
    }
}
