using System;
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
/// Finds <c>Fiber.Run(SomeFiberMethod, …)</c> in ordinary code: the overload taking a plain delegate would run the
/// method outside any fiber, so the call is intercepted and routed to the generated twin.
/// </summary>
internal static class RunCallParser
{
    /// <summary>Syntax only: a call to something named Run whose first argument is a name (maybe a method group).</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellation) =>
        node is InvocationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments } invocation &&
        invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText == "Run",
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText == "Run",
            _ => false,
        } &&
        arguments[0].Expression is SimpleNameSyntax or MemberAccessExpressionSyntax;

    public static RunCallResult? Parse(GeneratorSyntaxContext context, CancellationToken cancellation)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        try
        {
            return ParseCore(context.SemanticModel, invocation, cancellation);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            var diagnostic = DiagnosticInfo.Create(Descriptors.InternalError, invocation.GetLocation(), "Fiber.Run", e.GetType().Name + ": " + e.Message);
            return new RunCallResult(null, diagnostic);
        }
    }

    private static RunCallResult? ParseCore(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellation)
    {
        if (model.GetSymbolInfo(invocation, cancellation).Symbol is not IMethodSymbol run ||
            run.Name != "Run" || !KnownSymbols.IsMiouType(run.ContainingType, "Fiber") ||
            run.Parameters.Length == 0 || run.Parameters[0].Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke } ||
            KnownSymbols.IsMiouType(invoke.ReturnType, "Fiber") || model.GetSymbolInfo(invocation.ArgumentList.Arguments[0].Expression, cancellation).Symbol is not IMethodSymbol target ||
            !KnownSymbols.IsFiberMethod(target) || target.MethodKind == MethodKind.LocalFunction)
        {
            return null;
        }

        if (Route(target, out var why) is not { } route)
        {
            var twin = target.ContainingType.Name + "." + target.Name + "Async";
            return new RunCallResult(null, DiagnosticInfo.Create(Descriptors.RunNotRouted, invocation.GetLocation(), target.Name, why, twin));
        }

        if (model.GetInterceptableLocation(invocation, cancellation) is not { } location)
        {
            return null;
        }

        var parameters = new List<string>();
        var arguments = new List<string>();
        var options = "";
        for (var i = 0; i < run.Parameters.Length; i++)
        {
            var parameter = run.Parameters[i];
            var name = i == 0 ? "main" : "arg" + i;
            parameters.Add(parameter.Type.ToDisplayString(KnownSymbols.TypeFormat) + " " + name);
            if (i == 0)
            {
                continue;
            }

            // The overload's own RunOptions parameter, not a type argument that happens to be RunOptions
            // (Fiber.Run(M, 1, options) where M takes (int, RunOptions) passes options to M).
            if (KnownSymbols.IsMiouType(run.OriginalDefinition.Parameters[i].Type, "RunOptions"))
            {
                options = name;
            }
            else
            {
                arguments.Add(name);
            }
        }

        var receiver = target.ReducedFrom is not null || !target.IsStatic
            ? "((" + (target.ReducedFrom?.Parameters[0].Type ?? target.ContainingType).ToDisplayString(KnownSymbols.TypeFormat) + ")main.Target!)"
            : null;
        var call = route(receiver, arguments);
        return new RunCallResult(
            new InterceptorSpec(
                location.Version,
                location.Data,
                location.GetDisplayLocation(),
                run.ReturnsVoid ? "void" : run.ReturnType.ToDisplayString(KnownSymbols.TypeFormat),
                parameters.ToEquatableArray(),
                call,
                options,
                KnownSymbols.Definition(target).Locations.Any(l => l.IsInSource) ? KnownSymbols.MethodKey(target) : ""),
            null);
    }

    /// <summary>How generated code in namespace Miou.Generated starts the twin: directly, or through the entry bridge.</summary>
    private static Func<string?, List<string>, string>? Route(IMethodSymbol target, out string why)
    {
        why = "";
        var definition = KnownSymbols.Definition(target);
        var container = (target.ReducedFrom ?? target).ContainingType;
        var typeArguments = target.TypeArguments.Length == 0 ? "" : "<" + string.Join(", ", target.TypeArguments.Select(t => t.ToDisplayString(KnownSymbols.TypeFormat))) + ">";
        var type = container.ToDisplayString(KnownSymbols.TypeFormat);
        if (KnownSymbols.IsAssemblyAccessible(definition) && KnownSymbols.IsNameable(container) && target.TypeArguments.All(KnownSymbols.IsNameable))
        {
            if (target.ReducedFrom is not null)
            {
                return (receiver, args) => $"{type}.{target.Name}Async{typeArguments}({string.Join(", ", new[] { receiver! }.Concat(args))})";
            }

            return (receiver, args) => $"{receiver ?? type}.{target.Name}Async{typeArguments}({string.Join(", ", args)})";
        }

        if (!FiberMethodParser.CanHaveBridge(definition))
        {
            why = "it is not visible to the whole assembly and is generic, in a generic or private type, or takes types private to its class";
            return null;
        }

        var bridge = KnownSymbols.EntryBridgeName(target);
        return (receiver, args) => $"{type}.{bridge}({string.Join(", ", (receiver is null ? Enumerable.Empty<string>() : new[] { receiver }).Concat(args))})";
    }
}
