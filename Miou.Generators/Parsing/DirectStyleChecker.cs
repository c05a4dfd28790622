using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Miou.Generators.Diagnostics;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// Checks a user's [DirectStyle] method: generated code awaits its counterpart inside a fiber, whose builder accepts only
/// Miou awaitables (a Fiber, a Fiber&lt;T&gt;, or a type whose awaiter implements the runtime's IFiberAwaiter). Anything
/// else would compile and fail at run time, at the first await.
/// </summary>
internal static class DirectStyleChecker
{
    public static EquatableArray<DiagnosticInfo> Check(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        if (context.TargetSymbol is not IMethodSymbol method || method.ContainingType is not { } type ||
            !KnownSymbols.TryGetDirectStyle(method, out var name, out var suspends) || !suspends)
        {
            return EquatableArray<DiagnosticInfo>.Empty; // a Suspends = false counterpart is called, not awaited
        }

        cancellation.ThrowIfCancellationRequested();
        var candidates = new List<IMethodSymbol>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            candidates.AddRange(t.GetMembers(name).OfType<IMethodSymbol>());
        }

        // The counterpart has the method's parameters: prefer the overloads of the same arity when there are some.
        var sameArity = candidates.Where(c => c.Parameters.Length == method.Parameters.Length).ToList();
        if (sameArity.Count > 0)
        {
            candidates = sameArity;
        }

        if (candidates.Any(c => IsMiouAwaitable(c.ReturnType)))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        var why = candidates.Count == 0
            ? $"'{type.Name}' declares no method named '{name}'"
            : $"'{name}' returns '{candidates[0].ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}', which is not a Miou awaitable";
        var location = method.Locations.FirstOrDefault(l => l.IsInSource && l.SourceTree == context.TargetNode.SyntaxTree) ?? context.TargetNode.GetLocation();
        return new[] { DiagnosticInfo.Create(Descriptors.ForeignCounterpart, location, method.Name, name, why) }.ToEquatableArray();
    }

    /// <summary>A Fiber, a Fiber&lt;T&gt;, or a type with a GetAwaiter() whose awaiter implements Miou.Building.IFiberAwaiter.</summary>
    private static bool IsMiouAwaitable(ITypeSymbol type)
    {
        if (KnownSymbols.IsMiouType(type, "Fiber"))
        {
            return true;
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers("GetAwaiter"))
            {
                if (member is IMethodSymbol { IsStatic: false, Parameters.Length: 0, ReturnType: { } awaiter } &&
                    awaiter.AllInterfaces.Any(i => i.Name == "IFiberAwaiter" && i.ContainingNamespace is { Name: "Building" } ns &&
                                                   ns.ContainingNamespace is { Name: "Miou" } miou && miou.ContainingNamespace is { IsGlobalNamespace: true }))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
