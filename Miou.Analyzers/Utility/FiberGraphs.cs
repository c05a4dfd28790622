using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers;

/// <summary>One function to analyse: a [Fiber] method's body, a fiber body lambda or a local function in it.</summary>
internal readonly struct FiberFunction
{
    public FiberFunction(ControlFlowGraph graph, IMethodSymbol symbol, bool isNewTask)
    {
        Graph = graph;
        Symbol = symbol;
        IsNewTask = isNewTask;
    }

    /// <summary>The function's control-flow graph.</summary>
    public ControlFlowGraph Graph { get; }

    /// <summary>The method, the lambda's or the local function's symbol.</summary>
    public IMethodSymbol Symbol { get; }

    /// <summary>A task body (a child spawned with Fiber.Async/Call): it must settle everything itself before it returns.
    /// Otherwise (a [Fiber] method, a Fiber.Protect body) it may run inline in its caller's task.</summary>
    public bool IsNewTask { get; }

    /// <summary>What one walk over the graph found (shared by the rules).</summary>
    public GraphScan Scan => GraphScan.Of(Graph);

    /// <summary>Whether <paramref name="symbol"/> is a local or by-value parameter of this very function.</summary>
    public bool IsOwnVariable(object symbol) => symbol switch
    {
        ILocalSymbol local => SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, Symbol),
        IParameterSymbol { RefKind: RefKind.None } parameter => SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, Symbol),
        _ => false,
    };
}

/// <summary>Finds the functions of a [Fiber] method that run as fiber code, each with its control-flow graph.</summary>
internal static class FiberGraphs
{
    /// <summary>
    /// The functions of a [Fiber] method body that hold a call satisfying <paramref name="isSource"/> (where an
    /// obligation starts): the method itself, the fiber bodies it passes to Fiber.Async, Fiber.Call, Fiber.Protect, …
    /// and its local functions (recursively). A graph is asked for only when a source lies inside its function: a
    /// method that spawns or owns nothing costs one look at its calls, and a lambda without one is never built into a
    /// graph. With <paramref name="proof"/> (the rule's obligations, when <see cref="StructuredFlow"/> is on), a method
    /// whose operation tree proves every obligation settled (<see cref="StructuredFlow.ProvesSettled"/>) yields nothing
    /// and is never built into a graph either.
    /// </summary>
    public static IEnumerable<FiberFunction> Of(OperationAnalysisContext context, MiouSymbols symbols, Func<IInvocationOperation, bool> isSource,
        ObligationRules? proof)
    {
        if (context.Operation is not IMethodBodyOperation body || context.ContainingSymbol is not IMethodSymbol method ||
            !symbols.IsFiberMethod(method))
        {
            yield break;
        }

        List<TextSpan>? sources = null;
        foreach (var invocation in GraphScan.CallsIn(body))
        {
            if (isSource(invocation))
            {
                (sources ??= new List<TextSpan>()).Add(invocation.Syntax.Span);
            }
        }

        if (sources is null || (proof is not null && StructuredFlow.ProvesSettled(body, proof, isSource, sources.Count)))
        {
            yield break;
        }

        var pending = new Stack<FiberFunction>();
        pending.Push(new FiberFunction(context.GetControlFlowGraph(), method, isNewTask: false));
        while (pending.Count > 0)
        {
            var function = pending.Pop();
            var scan = function.Scan;
            if (scan.AnyCall(isSource))
            {
                yield return function;
            }

            foreach (var lambda in scan.Lambdas)
            {
                if (Holds(lambda.Syntax.Span, sources) && FiberContext.FiberBodyCall(lambda, symbols) is { } call)
                {
                    pending.Push(new FiberFunction(
                        function.Graph.GetAnonymousFunctionControlFlowGraph(lambda),
                        lambda.Symbol,
                        symbols.StartsNewTask(call.Invocation.TargetMethod, call.Parameter)));
                }
            }

            // A local function that spawns or owns suspends, so the generator makes it a fiber, awaited where it is
            // called: it runs inline in its caller's task, as a [Fiber] method does.
            foreach (var local in function.Graph.LocalFunctions)
            {
                if (Holds(local, sources))
                {
                    pending.Push(new FiberFunction(function.Graph.GetLocalFunctionControlFlowGraph(local), local, isNewTask: false));
                }
            }
        }
    }

    private static bool Holds(IMethodSymbol local, List<TextSpan> sources)
    {
        foreach (var reference in local.DeclaringSyntaxReferences)
        {
            if (Holds(reference.Span, sources))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(TextSpan span, List<TextSpan> sources)
    {
        foreach (var source in sources)
        {
            if (span.Contains(source))
            {
                return true;
            }
        }

        return false;
    }
}
