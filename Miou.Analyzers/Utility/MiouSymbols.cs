using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Miou.Analyzers;

/// <summary>
/// Miou's API as the analyzers recognise it: the marker attributes first (<c>[Fiber]</c>, <c>[DirectStyle]</c>,
/// <c>[FiberBody]</c>), and a few well-known metadata names for the semantics no attribute carries (which call consumes
/// a child, which one owns a resource). Resolved once per compilation and shared by the six analyzers; null when the
/// compilation does not use Miou. What a method is to Miou (its attributes, its type) is worked out once per method and
/// remembered: every analyzer asks it of every call, several times.
/// </summary>
internal sealed class MiouSymbols
{
    /// <summary>Each compilation's symbols (or the lack of them), shared by the analyzers of one compile.</summary>
    private static readonly ConditionalWeakTable<Compilation, StrongBox<MiouSymbols?>> Shared = new();

    /// <summary>
    /// What each method (its original definition) is to Miou, worked out on first use. Keyed by reference: a compilation
    /// hands out one symbol object per original definition, and were it ever to hand out two, the second would only be
    /// worked out again; hashing by reference costs a fraction of a symbol comparer's hash.
    /// </summary>
    private readonly ConcurrentDictionary<IMethodSymbol, MethodFacts> _methods = new(ByReference.Instance);

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

    /// <summary>The compilation's symbols, resolved by the first analyzer that asks; null when it does not use Miou.</summary>
    public static MiouSymbols? Create(Compilation compilation) => Shared.GetValue(compilation, static c =>
        new StrongBox<MiouSymbols?>(c.GetTypeByMetadataName("Miou.FiberAttribute") is { } attribute ? new MiouSymbols(c, attribute) : null)).Value;

    /// <summary>
    /// A <c>[Fiber]</c> method. Read from its attributes, not remembered: it is mostly asked of the method whose body an
    /// analyzer looks at, a different one each time, where working out and storing all its facts would cost more.
    /// </summary>
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
    public bool IsSuspendingDirectStyle(IMethodSymbol method) => Facts(method).Has(MethodFacts.SuspendingDirectStyle);

    private bool ReadIsSuspendingDirectStyle(IMethodSymbol method)
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
    public bool IsSuspending(IMethodSymbol method) => (Facts(method) & (MethodFacts.SuspendingDirectStyle | MethodFacts.Fiber)) != 0;

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
        (Facts(method) & (MethodFacts.DirectStyle | MethodFacts.FiberBodyParameter)) == (MethodFacts.DirectStyle | MethodFacts.FiberBodyParameter) &&
        IsPromise(method.ReturnType);

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
    public bool IsOnFiber(IMethodSymbol method) => Facts(method).Has(MethodFacts.OnFiber);

    /// <summary>A method declared on <c>Miou.Ownership</c>.</summary>
    public bool IsOnOwnership(IMethodSymbol method) => Facts(method).Has(MethodFacts.OnOwnership);

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

    /// <summary>What <paramref name="method"/> is to Miou: read from its original definition once, then remembered.</summary>
    private MethodFacts Facts(IMethodSymbol method)
    {
        var original = method.OriginalDefinition;
        if (_methods.TryGetValue(original, out var facts))
        {
            return facts;
        }

        facts = MethodFacts.Known;
        if (HasAttribute(original, FiberAttribute))
        {
            facts |= MethodFacts.Fiber;
        }

        if (DirectStyle(original) is not null)
        {
            facts |= MethodFacts.DirectStyle;
            if (ReadIsSuspendingDirectStyle(original))
            {
                facts |= MethodFacts.SuspendingDirectStyle;
            }
        }

        if (HasFiberBodyParameter(original))
        {
            facts |= MethodFacts.FiberBodyParameter;
        }

        if (SymbolEqualityComparer.Default.Equals(original.ContainingType?.OriginalDefinition, Fiber))
        {
            facts |= MethodFacts.OnFiber;
        }

        if (SymbolEqualityComparer.Default.Equals(original.ContainingType?.OriginalDefinition, Ownership))
        {
            facts |= MethodFacts.OnOwnership;
        }

        _methods.TryAdd(original, facts);
        return facts;
    }

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

/// <summary>Symbols compared by reference (netstandard2.0 has no ReferenceEqualityComparer).</summary>
internal sealed class ByReference : System.Collections.Generic.IEqualityComparer<IMethodSymbol>
{
    public static readonly ByReference Instance = new();

    public bool Equals(IMethodSymbol? x, IMethodSymbol? y) => ReferenceEquals(x, y);

    public int GetHashCode(IMethodSymbol obj) => RuntimeHelpers.GetHashCode(obj);
}

/// <summary>What a method is to Miou (of its original definition: attributes and declaring type).</summary>
[System.Flags]
internal enum MethodFacts
{
    /// <summary>Worked out (a method that is nothing to Miou has this one alone).</summary>
    Known = 1,

    /// <summary>Marked <c>[Fiber]</c>.</summary>
    Fiber = 2,

    /// <summary>Marked <c>[DirectStyle]</c>.</summary>
    DirectStyle = 4,

    /// <summary>Marked <c>[DirectStyle]</c> without <c>Suspends = false</c>.</summary>
    SuspendingDirectStyle = 8,

    /// <summary>Has a <c>[FiberBody]</c> parameter.</summary>
    FiberBodyParameter = 16,

    /// <summary>Declared on <c>Miou.Fiber</c>.</summary>
    OnFiber = 32,

    /// <summary>Declared on <c>Miou.Ownership</c>.</summary>
    OnOwnership = 64,
}

/// <summary>Tests of <see cref="MethodFacts"/>.</summary>
internal static class MethodFactsExtensions
{
    /// <summary>Whether every fact of <paramref name="wanted"/> holds (without <see cref="System.Enum.HasFlag"/>'s boxing on .NET Framework hosts).</summary>
    public static bool Has(this MethodFacts facts, MethodFacts wanted) => (facts & wanted) == wanted;
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
