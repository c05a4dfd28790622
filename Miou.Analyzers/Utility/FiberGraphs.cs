using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>One function to analyse: a [Fiber] method's body or a fiber body lambda in it.</summary>
internal readonly struct FiberFunction
{
    public FiberFunction(ControlFlowGraph graph, IMethodSymbol symbol, bool isNewTask, SyntaxNode syntax)
    {
        Graph = graph;
        Symbol = symbol;
        IsNewTask = isNewTask;
        Syntax = syntax;
    }

    /// <summary>The function's control-flow graph.</summary>
    public ControlFlowGraph Graph { get; }

    /// <summary>The method, or the lambda's symbol.</summary>
    public IMethodSymbol Symbol { get; }

    /// <summary>A task body (a child spawned with Fiber.Async/Call): it must settle everything itself before it returns.
    /// Otherwise (a [Fiber] method, a Fiber.Protect body) it may run inline in its caller's task.</summary>
    public bool IsNewTask { get; }

    /// <summary>The function's syntax.</summary>
    public SyntaxNode Syntax { get; }

    /// <summary>Names used inside nested lambdas and local functions: variables that may be captured, so not tracked.</summary>
    public Func<ISymbol, bool> CapturedByNestedFunctions()
    {
        HashSet<string>? names = null;
        foreach (var node in Syntax.DescendantNodes())
        {
            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                names ??= new HashSet<string>(StringComparer.Ordinal);
                foreach (var identifier in node.DescendantNodes())
                {
                    if (identifier is IdentifierNameSyntax name)
                    {
                        names.Add(name.Identifier.ValueText);
                    }
                }
            }
        }

        return names is null ? static _ => false : symbol => symbol is ILocalSymbol or IParameterSymbol && names.Contains(symbol.Name);
    }

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
    /// For a [Fiber] method body whose operations satisfy <paramref name="worthIt"/> (a cheap pre-check), the method's
    /// graph and those of the fiber bodies it passes to Fiber.Async, Fiber.Call, Fiber.Protect, … (recursively).
    /// </summary>
    public static IEnumerable<FiberFunction> Of(OperationAnalysisContext context, MiouSymbols symbols, Func<IOperation, bool> worthIt)
    {
        if (context.Operation is not IMethodBodyOperation body || context.ContainingSymbol is not IMethodSymbol method ||
            !symbols.IsFiberMethod(method) || !Any(body, worthIt))
        {
            yield break;
        }

        var graph = context.GetControlFlowGraph();
        var pending = new Stack<FiberFunction>();
        pending.Push(new FiberFunction(graph, method, isNewTask: false, body.Syntax));
        while (pending.Count > 0)
        {
            var function = pending.Pop();
            yield return function;
            foreach (var block in function.Graph.Blocks)
            {
                foreach (var root in Roots(block))
                {
                    foreach (var operation in root.DescendantsAndSelf())
                    {
                        if (operation is IFlowAnonymousFunctionOperation lambda && FiberContext.FiberBodyCall(lambda, symbols) is { } call)
                        {
                            pending.Push(new FiberFunction(
                                function.Graph.GetAnonymousFunctionControlFlowGraph(lambda),
                                lambda.Symbol,
                                symbols.StartsNewTask(call.Invocation.TargetMethod, call.Parameter),
                                lambda.Syntax));
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<IOperation> Roots(BasicBlock block)
    {
        foreach (var operation in block.Operations)
        {
            yield return operation;
        }

        if (block.BranchValue is { } value)
        {
            yield return value;
        }
    }

    private static bool Any(IOperation root, Func<IOperation, bool> predicate)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (predicate(operation))
            {
                return true;
            }
        }

        return false;
    }
}
