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
        var blocks = graph.Blocks;
        Sites = new Site[blocks.Length][];
        var pending = new Stack<(IOperation Operation, bool Expanded)>();
        var sites = new List<Site>();
        foreach (var block in blocks)
        {
            sites.Clear();
            foreach (var root in block.Operations)
            {
                Walk(root, inOperations: true, returned: false, pending, sites);
            }

            if (block.BranchValue is { } value)
            {
                var returned = block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return && block.ConditionalSuccessor is null;
                Walk(value, inOperations: false, returned, pending, sites);
            }

            Sites[block.Ordinal] = sites.Count == 0 ? Array.Empty<Site>() : sites.ToArray();
        }
    }

    /// <summary>
    /// Each block's operations an obligation flow acts on (assignments, flow captures, calls, reads of locals, parameters
    /// and captures), operands before the operation that uses them, indexed by ordinal: found by this walk, so that each
    /// rule's flow looks at these few instead of walking the graph again.
    /// </summary>
    public Site[][] Sites { get; }

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

    /// <summary>
    /// Every call in an operation tree, lambdas included: the cheap test made before a graph is asked for. In no
    /// particular order (it is asked which calls start an obligation, and where), so the walk takes each operation's
    /// children as they come, without reversing them, and without recursion, which a long chain of operators would make deep.
    /// </summary>
    public static List<IInvocationOperation> CallsIn(IOperation root) => TreeCalls.GetValue(root, static r =>
    {
        var calls = new List<IInvocationOperation>();
        var pending = new Stack<IOperation>();
        pending.Push(r);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (operation.Kind == OperationKind.Invocation)
            {
                calls.Add((IInvocationOperation)operation);
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
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

    /// <summary>
    /// The next operation of a post-order walk of what <paramref name="pending"/> was given (operands before the operation
    /// using them, in evaluation order), nested lambdas and local functions left out (they run elsewhere; a graph's
    /// blocks hold none). Without recursion, which a long chain of operators would make deep, and without an iterator
    /// per operation.
    /// </summary>
    public static bool NextPostOrder(Stack<(IOperation Operation, bool Expanded)> pending, out IOperation operation)
    {
        while (pending.Count > 0)
        {
            var (current, expanded) = pending.Pop();
            if (expanded)
            {
                operation = current;
                return true;
            }

            if (current.Kind is OperationKind.AnonymousFunction or OperationKind.LocalFunction)
            {
                continue;
            }

            pending.Push((current, true));
            foreach (var child in current.ChildOperations.Reverse())
            {
                pending.Push((child, false));
            }
        }

        operation = null!;
        return false;
    }

    /// <summary>
    /// A post-order walk (operands before the operation using them, the order a flow meets them in) without recursion,
    /// which a long chain of operators would make deep, and without an iterator per operation.
    /// </summary>
    private void Walk(IOperation root, bool inOperations, bool returned, Stack<(IOperation Operation, bool Expanded)> pending, List<Site> sites)
    {
        pending.Push((root, false));
        while (NextPostOrder(pending, out var operation))
        {
            // Switched on the kind first: an interface type test per operation costs more than the rest of the walk.
            switch (operation.Kind)
            {
                case OperationKind.Invocation:
                    Invocations.Add((IInvocationOperation)operation);
                    sites.Add(new Site(operation, root, returned));
                    break;
                case OperationKind.FlowAnonymousFunction:
                    Lambdas.Add((IFlowAnonymousFunctionOperation)operation);
                    break;
                case OperationKind.SimpleAssignment:
                    if (inOperations && operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation } assignment)
                    {
                        LocalAssignments.Add(assignment);
                    }

                    sites.Add(new Site(operation, root, returned));
                    break;
                case OperationKind.Argument when inOperations &&
                    operation is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: ILocalReferenceOperation written }:
                    RefWrittenLocals.Add(written.Local);
                    break;
                case OperationKind.FlowCapture or OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.FlowCaptureReference:
                    sites.Add(new Site(operation, root, returned));
                    break;
            }
        }
    }
}

/// <summary>An operation a flow acts on, with the root operation of the block holding it and whether that root is the value the function returns.</summary>
internal readonly struct Site
{
    public Site(IOperation operation, IOperation root, bool returned)
    {
        Operation = operation;
        Root = root;
        Returned = returned;
    }

    public IOperation Operation { get; }

    public IOperation Root { get; }

    public bool Returned { get; }
}
