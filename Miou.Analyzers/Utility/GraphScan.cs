using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// What one walk over a function's control-flow graph finds: its calls, the lambdas it creates, its writes of locals,
/// and the names its nested functions use. MIOU0001 and MIOU0006 analyse the same graphs (the driver hands both the
/// same instance), so the walk is made once per graph and shared.
/// </summary>
internal sealed class GraphScan
{
    private static readonly ConditionalWeakTable<ControlFlowGraph, GraphScan> Scans = new();
    private static readonly ConditionalWeakTable<IOperation, List<IInvocationOperation>> TreeCalls = new();

    private readonly ControlFlowGraph _graph;
    private Func<ISymbol, bool>? _captured;

    private GraphScan(ControlFlowGraph graph)
    {
        _graph = graph;
        foreach (var block in graph.Blocks)
        {
            foreach (var root in block.Operations)
            {
                Walk(root, inOperations: true);
            }

            if (block.BranchValue is { } value)
            {
                Walk(value, inOperations: false);
            }
        }
    }

    /// <summary>Every call in the graph (nested functions aside: they have graphs of their own).</summary>
    public List<IInvocationOperation> Invocations { get; } = new();

    /// <summary>The lambdas the function creates (not those nested in them).</summary>
    public List<IFlowAnonymousFunctionOperation> Lambdas { get; } = new();

    /// <summary>Assignments to a local, among the blocks' operations.</summary>
    public List<ISimpleAssignmentOperation> LocalAssignments { get; } = new();

    /// <summary>Locals passed by <c>ref</c> or <c>out</c>, among the blocks' operations.</summary>
    public List<ILocalSymbol> RefWrittenLocals { get; } = new();

    /// <summary>The scan of <paramref name="graph"/>, made on first use.</summary>
    public static GraphScan Of(ControlFlowGraph graph) => Scans.GetValue(graph, static g => new GraphScan(g));

    /// <summary>Every call in an operation tree, lambdas included: the cheap test made before a graph is asked for.</summary>
    public static List<IInvocationOperation> CallsIn(IOperation root) => TreeCalls.GetValue(root, static r =>
    {
        var calls = new List<IInvocationOperation>();
        foreach (var operation in r.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation invocation)
            {
                calls.Add(invocation);
            }
        }

        return calls;
    });

    /// <summary>Whether one of the function's own calls satisfies <paramref name="predicate"/>.</summary>
    public bool AnyCall(Func<IInvocationOperation, bool> predicate)
    {
        foreach (var invocation in Invocations)
        {
            if (predicate(invocation))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Names used inside the function's nested lambdas and local functions: variables that may be captured, so not
    /// tracked. Read from the syntax of those functions alone, not from the whole function's.
    /// </summary>
    public Func<ISymbol, bool> CapturedByNestedFunctions()
    {
        if (_captured is { } known)
        {
            return known;
        }

        HashSet<string>? names = null;
        foreach (var lambda in Lambdas)
        {
            AddNames(lambda.Syntax, ref names);
        }

        foreach (var local in _graph.LocalFunctions)
        {
            foreach (var reference in local.DeclaringSyntaxReferences)
            {
                AddNames(reference.GetSyntax(), ref names);
            }
        }

        var captured = names is null ? static _ => false : (Func<ISymbol, bool>)(symbol => symbol is ILocalSymbol or IParameterSymbol && names.Contains(symbol.Name));
        _captured = captured;
        return captured;
    }

    /// <summary>The identifiers of every nested function in or at <paramref name="syntax"/> (a query clause may hold several).</summary>
    private static void AddNames(SyntaxNode syntax, ref HashSet<string>? names)
    {
        // A nested function's names are all read at once: no need to descend into it a second time.
        foreach (var node in syntax.DescendantNodesAndSelf(static node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
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
    }

    private void Walk(IOperation root, bool inOperations)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IInvocationOperation invocation:
                    Invocations.Add(invocation);
                    break;
                case IFlowAnonymousFunctionOperation lambda:
                    Lambdas.Add(lambda);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation } assignment when inOperations:
                    LocalAssignments.Add(assignment);
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: ILocalReferenceOperation written } when inOperations:
                    RefWrittenLocals.Add(written.Local);
                    break;
            }
        }
    }
}
