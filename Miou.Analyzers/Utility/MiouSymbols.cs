using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Miou.Analyzers;

/// <summary>
/// Miou's API as the analyzers recognise it: the marker attributes first (<c>[Fiber]</c>, <c>[DirectStyle]</c>,
/// <c>[FiberBody]</c>), and a few well-known metadata names for the semantics no attribute carries (which call consumes
/// a child, which one owns a resource). Resolved once per compilation; null when the compilation does not use Miou.
/// </summary>
internal sealed class MiouSymbols
{
    private MiouSymbols(Compilation compilation, INamedTypeSymbol fiberAttribute)
    {
        FiberAttribute = fiberAttribute;
        DirectStyleAttribute = compilation.GetTypeByMetadataName("Miou.DirectStyleAttribute");
        FiberBodyAttribute = compilation.GetTypeByMetadataName("Miou.FiberBodyAttribute");
        Fiber = compilation.GetTypeByMetadataName("Miou.Fiber");
        FiberOfT = compilation.GetTypeByMetadataName("Miou.Fiber`1");
        Promise = compilation.GetTypeByMetadataName("Miou.Promise");
        Ownership = compilation.GetTypeByMetadataName("Miou.Ownership");
        CancelledException = compilation.GetTypeByMetadataName("Miou.CancelledException");
        FiberMutex = compilation.GetTypeByMetadataName("Miou.FiberMutex");
    }

    public INamedTypeSymbol FiberAttribute { get; }
    public INamedTypeSymbol? DirectStyleAttribute { get; }
    public INamedTypeSymbol? FiberBodyAttribute { get; }
    public INamedTypeSymbol? Fiber { get; }
    public INamedTypeSymbol? FiberOfT { get; }
    public INamedTypeSymbol? Promise { get; }
    public INamedTypeSymbol? Ownership { get; }
    public INamedTypeSymbol? CancelledException { get; }
    public INamedTypeSymbol? FiberMutex { get; }

    public static MiouSymbols? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Miou.FiberAttribute") is { } attribute ? new MiouSymbols(compilation, attribute) : null;

    public bool IsFiberMethod(ISymbol? symbol) => symbol is IMethodSymbol method && HasAttribute(method.OriginalDefinition, FiberAttribute);

    /// <summary>The <c>[DirectStyle]</c> attribute of <paramref name="method"/>, if it has one.</summary>
    public AttributeData? DirectStyle(IMethodSymbol method)
    {
        if (DirectStyleAttribute is null)
        {
            return null;
        }

        foreach (var attribute in method.OriginalDefinition.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, DirectStyleAttribute))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>A direct-style method that is a scheduling point (<c>[DirectStyle]</c> without <c>Suspends = false</c>).</summary>
    public bool IsSuspendingDirectStyle(IMethodSymbol method)
    {
        if (DirectStyle(method) is not { } attribute)
        {
            return false;
        }

        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Suspends" && named.Value.Value is false)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The name of the awaitable counterpart that <c>[DirectStyle]</c> names.</summary>
    public string? AwaitableCounterpart(IMethodSymbol method) =>
        DirectStyle(method) is { ConstructorArguments: { Length: 1 } arguments } && arguments[0].Value is string name ? name : null;

    /// <summary>A call that may suspend the calling fiber: a suspending direct-style method or a <c>[Fiber]</c> method.</summary>
    public bool IsSuspending(IMethodSymbol method) => IsSuspendingDirectStyle(method) || IsFiberMethod(method);

    public bool IsFiberBody(IParameterSymbol? parameter) =>
        parameter is not null && FiberBodyAttribute is not null && HasAttribute(parameter.OriginalDefinition, FiberBodyAttribute);

    public bool IsPromise(ITypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, Promise))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A spawn: a direct-style method that takes a fiber body and returns a promise (<c>Fiber.Async</c>, <c>Fiber.Call</c>).
    /// Its fiber body runs as a new task, a child of the caller's.
    /// </summary>
    public bool IsSpawn(IMethodSymbol method) =>
        IsPromise(method.ReturnType) && DirectStyle(method) is not null && HasFiberBodyParameter(method);

    /// <summary>Whether a lambda passed to <paramref name="parameter"/> of <paramref name="method"/> runs as a new task.</summary>
    public bool StartsNewTask(IMethodSymbol method, IParameterSymbol? parameter)
    {
        if (!IsFiberBody(parameter))
        {
            return false;
        }

        if (IsSpawn(method))
        {
            return true;
        }

        // The awaitable counterparts (SpawnAsync, CallAsync) and Parallel: every fiber body there is a child task.
        return IsOnFiber(method) && method.Name is "SpawnAsync" or "CallAsync" or "Parallel" or "ParallelAsync";
    }

    /// <summary>A method declared on <c>Miou.Fiber</c>.</summary>
    public bool IsOnFiber(IMethodSymbol method) => SymbolEqualityComparer.Default.Equals(method.ContainingType?.OriginalDefinition, Fiber);

    /// <summary>A method declared on <c>Miou.Ownership</c>.</summary>
    public bool IsOnOwnership(IMethodSymbol method) => SymbolEqualityComparer.Default.Equals(method.ContainingType?.OriginalDefinition, Ownership);

    /// <summary>How a call treats the promises it is given.</summary>
    public PromiseUse PromiseUseOf(IMethodSymbol method, int promiseArguments)
    {
        if (!IsOnFiber(method))
        {
            return PromiseUse.Unknown;
        }

        switch (method.Name)
        {
            case "Await" or "AwaitResult" or "Cancel" or "AwaitAll" or "AwaitFirst":
            case "AwaitAsync" or "AwaitResultAsync" or "CancelAsync" or "AwaitAllAsync" or "AwaitFirstAsync":
                return PromiseUse.Consumes;
            case "AwaitOne" or "AwaitOneAsync":
                // Consumes one of them, chosen at run time: with one promise it is that one.
                return promiseArguments == 1 ? PromiseUse.Consumes : PromiseUse.ConsumesOneOf;
            default:
                return PromiseUse.Unknown;
        }
    }

    /// <summary>Whether <paramref name="method"/> is <c>Ownership.Name</c> for one of <paramref name="names"/>.</summary>
    public bool IsOwnership(IMethodSymbol method, params string[] names) => System.Array.IndexOf(names, method.Name) >= 0 && IsOnOwnership(method);

    /// <summary>Whether <paramref name="method"/> is <c>Ownership.<paramref name="name"/></c>: asked of every call, so without a params array.</summary>
    public bool IsOwnership(IMethodSymbol method, string name) => method.Name == name && IsOnOwnership(method);

    /// <summary>A method returning <c>Miou.Fiber</c> or <c>Miou.Fiber&lt;T&gt;</c> (a hand-written fiber when async).</summary>
    public bool ReturnsFiber(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, Fiber) ||
        SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, FiberOfT);

    private bool HasFiberBodyParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (IsFiberBody(parameter))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasAttribute(ISymbol symbol, INamedTypeSymbol attributeType)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What a Miou call does with the promises passed to it.</summary>
internal enum PromiseUse
{
    /// <summary>Not a Miou consumer: the promise escapes where the analysis cannot follow it.</summary>
    Unknown,

    /// <summary>Awaits or cancels each promise: each is consumed.</summary>
    Consumes,

    /// <summary><c>Fiber.AwaitOne</c> of several: one is consumed, which one is chosen at run time.</summary>
    ConsumesOneOf,
}
