using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>How a use of a tracked value affects its obligation.</summary>
internal enum ValueUse
{
    /// <summary>Discharges the obligation (awaited, cancelled, released, …).</summary>
    Consume,

    /// <summary>Reads the value without discharging or leaking it (a null test, <c>p.Id</c>, <c>Ownership.Check</c>).</summary>
    Neutral,

    /// <summary>Hands the value somewhere the analysis does not follow: the obligation is dropped, never reported.</summary>
    Escape,
}

/// <summary>Why an obligation is reported.</summary>
internal enum Violation
{
    /// <summary>Still pending when the function returns normally, on some path.</summary>
    PendingAtExit,

    /// <summary>The value was discarded right away (an expression statement, <c>_ =</c>).</summary>
    Discarded,

    /// <summary>The only variable referring to it was overwritten.</summary>
    Overwritten,

    /// <summary>Returned by a task body to its parent while still pending.</summary>
    Returned,
}

/// <summary>What a rule tracks: where obligations start and which uses discharge them.</summary>
internal abstract class ObligationRules
{
    /// <summary>Whether the value of <paramref name="invocation"/> starts an obligation (a spawn's promise).</summary>
    public virtual bool IsValueSource(IInvocationOperation invocation) => false;

    /// <summary>When <paramref name="invocation"/> starts an obligation on one of its arguments (<c>Ownership.Own(r)</c>): that argument.</summary>
    public virtual IOperation? ArgumentSource(IInvocationOperation invocation) => null;

    /// <summary>How passing a tracked value as <paramref name="argument"/> of <paramref name="invocation"/> treats it.</summary>
    public abstract ValueUse ArgumentUse(IInvocationOperation invocation, IArgumentOperation argument);

    /// <summary>Other variables that may refer to the same object as <paramref name="holder"/> when an obligation starts on it.</summary>
    public virtual IEnumerable<object> AliasesOf(object holder) => Array.Empty<object>();

    /// <summary>Whether losing the only reference to a pending value is a violation by itself (a child nobody can await).</summary>
    public abstract bool ReportsLostReferences { get; }
}

/// <summary>
/// A may-analysis over Roslyn's control-flow graph: obligations (a child to await, a resource to release) start at some
/// calls, are held by locals and flow captures, and are discharged by some uses. An obligation still pending on some
/// normal path to the exit is reported; paths that end in an exception are not (a failing fiber may forget its children
/// and resources). Values that escape where the analysis cannot follow (fields, collections, unknown calls, captured
/// variables) are dropped: precision matters more than coverage.
/// </summary>
internal sealed partial class ObligationFlow
{
    private readonly ControlFlowGraph _graph;
    private readonly ObligationRules _rules;
    private readonly bool _newTask;
    private readonly Func<ISymbol, bool> _untracked;
    private readonly Func<State, IOperation, bool> _pendingAtExitIsCertain;
    /// <summary>The violations found, each source once, with the first reason found (made on the first).</summary>
    private List<(IOperation Source, Violation Why)>? _violations;
    private List<(ControlFlowRegion Handler, ControlFlowRegion Try)>? _catchSeeds;
    private FlowEvent[][]? _events;
    private readonly List<IOperation> _sourceList = new();
    private static readonly HolderComparer Holders = new();
    private readonly Dictionary<object, int> _holderNumbers = new(Holders);
    private readonly List<object> _holderList = new();
    private (int Holder, bool NullWhenTrue)[]? _nullTests;
    private HashSet<object>? _mayHold;
    private Layout? _layout;

    /// <summary>Scratch lists of source numbers for one event at a time (what a copied variable holds, what an overwrite loses).</summary>
    private readonly List<int> _incoming = new();
    private readonly List<int> _lost = new();

    /// <param name="graph">The function's graph.</param>
    /// <param name="rules">What to track.</param>
    /// <param name="newTask">Whether the function is a task body: returning a pending child to the parent is a violation,
    /// and whatever is still pending at its exit is, wherever it is held.</param>
    /// <param name="untracked">Variables that must not hold obligations (captured by a nested function, …): assigning a
    /// pending value to one is an escape.</param>
    /// <param name="pendingAtExitIsCertain">Whether an obligation pending at the exit, held as the state says, is certainly
    /// violated (in a function that may run inline in its caller's task, a value held outside is not).</param>
    public ObligationFlow(ControlFlowGraph graph, ObligationRules rules, bool newTask, Func<ISymbol, bool> untracked,
        Func<State, IOperation, bool> pendingAtExitIsCertain)
    {
        _graph = graph;
        _rules = rules;
        _newTask = newTask;
        _untracked = untracked;
        _pendingAtExitIsCertain = pendingAtExitIsCertain;
    }

    /// <summary>Runs the analysis; returns each violated obligation's source (a call in the graph) and why, in source order.</summary>
    public IReadOnlyList<(IOperation Source, Violation Why)> Run()
    {
        var blocks = _graph.Blocks;
        _events = CompileEvents();
        RunRange(0, blocks.Length - 1, blocks[0], new State(_layout!), report: true);
        return _violations ?? (IReadOnlyList<(IOperation, Violation)>)Array.Empty<(IOperation, Violation)>();
    }

    private void Report(IOperation source, Violation why)
    {
        // A function has a few sources, violated ones fewer: a list searched beats a table.
        _violations ??= new List<(IOperation, Violation)>();
        foreach (var (known, _) in _violations)
        {
            if (known == source)
            {
                return;
            }
        }

        _violations.Add((source, why));
    }

    /// <summary>
    /// Runs to a fixed point over the blocks <paramref name="first"/>..<paramref name="last"/> (the whole graph, or one
    /// finally region entered with <paramref name="entryState"/>), then once more reporting when asked. Returns the
    /// state at the end of a finally region.
    /// </summary>
    private State RunRange(int first, int last, BasicBlock entry, State entryState, bool report)
    {
        // Indexed by block ordinal: a function's graph has a few dozen blocks, and a range uses the ordinals it covers.
        var inStates = new State?[_graph.Blocks.Length];
        var outStates = new State?[_graph.Blocks.Length];
        inStates[entry.Ordinal] = entryState.Clone();
        var regionEnd = new State(_layout!);
        var seeds = CatchSeeds();

        void Propagate(BasicBlock block, State state, bool reporting, Queue<BasicBlock>? work)
        {
            if (block.ConditionalSuccessor is not { } conditional)
            {
                if (block.FallThroughSuccessor is { } fallThrough)
                {
                    PropagateTo(fallThrough, state, reporting, work);
                }

                return;
            }

            // A null test of a holder: on the branch where it is null, it holds nothing.
            var whenTrue = state;
            var whenFalse = state;
            if (_nullTests![block.Ordinal] is { Holder: >= 0 } nullTest)
            {
                var (holder, nullWhenTrue) = nullTest;
                var nullState = state.Clone();
                nullState.Forget(holder);
                if (nullWhenTrue)
                {
                    whenTrue = nullState;
                }
                else
                {
                    whenFalse = nullState;
                }
            }

            var takenWhenTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            if (block.BranchValue is { ConstantValue: { HasValue: true, Value: bool constant } })
            {
                // while (true): the graph keeps the branch out of the loop, but it is never taken.
                if (constant == takenWhenTrue)
                {
                    PropagateTo(conditional, state, reporting, work);
                }
                else if (block.FallThroughSuccessor is { } only)
                {
                    PropagateTo(only, state, reporting, work);
                }

                return;
            }

            PropagateTo(conditional, takenWhenTrue ? whenTrue : whenFalse, reporting, work);
            if (block.FallThroughSuccessor is { } other)
            {
                PropagateTo(other, takenWhenTrue ? whenFalse : whenTrue, reporting, work);
            }
        }

        void PropagateTo(ControlFlowBranch branch, State branchState, bool reporting, Queue<BasicBlock>? work)
        {
            var current = branchState;
            foreach (var region in branch.FinallyRegions)
            {
                current = RunRange(region.FirstBlockOrdinal, region.LastBlockOrdinal, _graph.Blocks[region.FirstBlockOrdinal], current, reporting);
            }

            if (branch.Destination is null)
            {
                if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
                {
                    regionEnd.UnionWith(current);
                }

                return;
            }

            if (branch.Destination.Kind == BasicBlockKind.Exit)
            {
                if (reporting)
                {
                    for (var source = 0; source < current.SourceCount; source++)
                    {
                        if (current.IsPending(source) && (_newTask || _pendingAtExitIsCertain(current, current.Source(source))))
                        {
                            Report(current.Source(source), Violation.PendingAtExit);
                        }
                    }
                }

                return;
            }

            var ordinal = branch.Destination.Ordinal;
            if (ordinal < first || ordinal > last)
            {
                return;
            }

            if (inStates[ordinal] is not { } existing)
            {
                inStates[ordinal] = current.Clone();
                work?.Enqueue(branch.Destination);
            }
            else if (existing.UnionWith(current))
            {
                work?.Enqueue(branch.Destination);
            }
        }

        var queue = new Queue<BasicBlock>();
        queue.Enqueue(entry);
        while (true)
        {
            while (queue.Count > 0)
            {
                var block = queue.Dequeue();
                var state = Entering(block, inStates[block.Ordinal]!);
                Transfer(block, state, reporting: false);
                outStates[block.Ordinal] = state;
                Propagate(block, state, reporting: false, queue);
            }

            // Catch and filter regions have no predecessor: an exception enters them from anywhere in their try. Only
            // what is pending all through the try is certainly pending there.
            foreach (var (handler, tryRegion) in seeds)
            {
                if (handler.FirstBlockOrdinal < first || handler.LastBlockOrdinal > last)
                {
                    continue; // a handler outside the blocks run here
                }

                var handlerFirst = handler.FirstBlockOrdinal;
                var seed = CatchEntry(tryRegion, inStates, outStates);
                if (seed is null)
                {
                    continue;
                }

                if (inStates[handlerFirst] is not { } existing)
                {
                    inStates[handlerFirst] = seed;
                    queue.Enqueue(_graph.Blocks[handlerFirst]);
                }
                else if (existing.UnionWith(seed))
                {
                    queue.Enqueue(_graph.Blocks[handlerFirst]);
                }
            }

            if (queue.Count == 0)
            {
                break;
            }
        }

        if (report)
        {
            regionEnd = new State(_layout!);
            for (var ordinal = first; ordinal <= last; ordinal++)
            {
                if (inStates[ordinal] is { } state)
                {
                    var block = _graph.Blocks[ordinal];
                    state = Entering(block, state);
                    Transfer(block, state, reporting: true);
                    Propagate(block, state, reporting: true, work: null);
                }
            }
        }

        return regionEnd;
    }

    /// <summary>
    /// The state a block's transfer works on: a copy of its entry state, or the entry state itself when the block has no
    /// event (its transfer changes nothing, and propagation only reads the state it is given).
    /// </summary>
    private State Entering(BasicBlock block, State entryState) => _events![block.Ordinal].Length == 0 ? entryState : entryState.Clone();

    /// <summary>Each catch or filter region, with its try region: found once per graph.</summary>
    private List<(ControlFlowRegion Handler, ControlFlowRegion Try)> CatchSeeds()
    {
        if (_catchSeeds is { } known)
        {
            return known;
        }

        var seeds = new List<(ControlFlowRegion, ControlFlowRegion)>();
        var pending = new Stack<ControlFlowRegion>();
        pending.Push(_graph.Root);
        while (pending.Count > 0)
        {
            var region = pending.Pop();
            var tryAndCatch = region.Kind switch
            {
                ControlFlowRegionKind.Catch when region.EnclosingRegion?.Kind == ControlFlowRegionKind.TryAndCatch => region.EnclosingRegion,
                ControlFlowRegionKind.Filter => region.EnclosingRegion?.EnclosingRegion,
                _ => null,
            };
            if (tryAndCatch is { Kind: ControlFlowRegionKind.TryAndCatch } && tryAndCatch.NestedRegions[0] is { Kind: ControlFlowRegionKind.Try } tryRegion)
            {
                seeds.Add((region, tryRegion));
            }

            for (var i = region.NestedRegions.Length - 1; i >= 0; i--)
            {
                pending.Push(region.NestedRegions[i]);
            }
        }

        return _catchSeeds = seeds;
    }

    private static State? CatchEntry(ControlFlowRegion tryRegion, State?[] inStates, State?[] outStates)
    {
        if (inStates[tryRegion.FirstBlockOrdinal] is not { } entry)
        {
            return null;
        }

        var result = entry.Clone();
        for (var ordinal = tryRegion.FirstBlockOrdinal; ordinal <= tryRegion.LastBlockOrdinal; ordinal++)
        {
            if (outStates[ordinal] is { } state)
            {
                result.IntersectWith(state);
            }
        }

        return result;
    }

    private static bool NullTest(IOperation test, out object holder, out bool nullWhenTrue)
    {
        holder = null!;
        nullWhenTrue = false;
        switch (test)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                var operand = IsNullLiteral(binary.RightOperand) ? binary.LeftOperand : IsNullLiteral(binary.LeftOperand) ? binary.RightOperand : null;
                if (operand is not null && HolderOf(operand) is { } tested)
                {
                    holder = tested;
                    nullWhenTrue = binary.OperatorKind == BinaryOperatorKind.Equals;
                    return true;
                }

                return false;
            case IIsNullOperation isNull when HolderOf(isNull.Operand) is { } nullTested:
                holder = nullTested;
                nullWhenTrue = true;
                return true;
            case IIsPatternOperation pattern when HolderOf(pattern.Value) is { } patternTested:
                holder = patternTested;
                switch (pattern.Pattern)
                {
                    case IConstantPatternOperation constant when IsNullLiteral(constant.Value):
                        nullWhenTrue = true;
                        return true;
                    case INegatedPatternOperation { Pattern: IConstantPatternOperation constant } when IsNullLiteral(constant.Value):
                        nullWhenTrue = false;
                        return true;
                    case ITypePatternOperation or IRecursivePatternOperation or IDeclarationPatternOperation:
                        nullWhenTrue = false;
                        return true;
                    default:
                        return false;
                }

            default:
                return false;
        }
    }

    private static bool IsNullLiteral(IOperation operation) =>
        FiberContext.WalkDownConversions(operation) is { ConstantValue: { HasValue: true, Value: null } };

    /// <summary>The variable or flow capture an operation reads, looking through conversions.</summary>
    public static object? HolderOf(IOperation operation) => FiberContext.WalkDownConversions(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation { Parameter.RefKind: RefKind.None } parameter => parameter.Parameter,
        IFlowCaptureReferenceOperation capture => capture.Id,
        _ => null,
    };

    /// <summary>Applies a block's events (compiled once per flow: see ObligationFlow.Events.cs) to <paramref name="state"/>.</summary>
    private void Transfer(BasicBlock block, State state, bool reporting)
    {
        foreach (var e in _events![block.Ordinal])
        {
            switch (e.Kind)
            {
                case EventKind.Bind:
                    Bind(e, state, reporting);
                    break;
                case EventKind.Own:
                    state.Start(e.Source, e.Holder);
                    foreach (var alias in e.Aliases ?? [])
                    {
                        state.AddHolder(e.Source, alias);
                    }

                    break;
                case EventKind.SourceValue:
                    if (reporting)
                    {
                        // Discarded or read once and dropped (p.Id, AwaitOne among others): nothing can await it any more.
                        Report(e.Operation, e.Use == Use.Returned ? Violation.Returned : Violation.Discarded);
                    }

                    break;
                case EventKind.HolderRead when !state.IsEmpty:
                    if (e.Use == Use.Returned && reporting && _newTask)
                    {
                        _incoming.Clear();
                        state.HeldBy(e.Holder, _incoming);
                        foreach (var source in _incoming)
                        {
                            Report(_layout!.Sources[source], Violation.Returned);
                        }
                    }

                    state.DropHeldBy(e.Holder); // consumed, escaped or returned: no longer this function's to settle
                    break;
            }
        }
    }

    private bool IsUntracked(object holder) => holder is ISymbol symbol && _untracked(symbol);

    /// <summary>A holder now holds a value (the event's operation): it lets go of whatever it held before.</summary>
    private void Bind(in FlowEvent e, State state, bool reporting)
    {
        var holder = e.Holder;
        if (state.IsEmpty && !e.IsSource)
        {
            return; // nothing pending, nothing starting: nothing to hold or to lose
        }

        // What the holder now refers to: the source itself, or whatever the variable it copies may refer to.
        List<int>? incoming = null;
        if (!e.IsSource && e.Other >= 0)
        {
            incoming = _incoming;
            incoming.Clear();
            state.HeldBy(e.Other, incoming);
        }

        _lost.Clear();
        state.Release(holder, keep: e.Operation is IInvocationOperation ? null : incoming, _lost);
        if (reporting && _rules.ReportsLostReferences)
        {
            foreach (var source in _lost)
            {
                Report(_layout!.Sources[source], Violation.Overwritten);
            }
        }

        if (e.Untracked)
        {
            // Stored where the analysis does not follow: no longer tracked (an escape, never reported).
            if (e.IsSource)
            {
                state.Drop(e.Source);
            }
            else if (incoming is not null)
            {
                foreach (var source in incoming)
                {
                    state.Drop(source);
                }
            }

            return;
        }

        if (e.IsSource)
        {
            state.Start(e.Source, holder);
        }
        else if (incoming is not null)
        {
            foreach (var source in incoming)
            {
                state.AddHolder(source, holder);
            }
        }
    }

    private enum Use
    {
        Discarded,
        Assigned,
        Consumed,
        Neutral,
        Escaped,
        Returned,
    }

    private Use Classify(IOperation value, IOperation root, bool returned)
    {
        var parent = FiberContext.WalkUpConversions(value, out var child);
        switch (parent)
        {
            case null:
                return child == root && returned ? Use.Returned : Use.Discarded;
            case IExpressionStatementOperation:
                return Use.Discarded;
            case ISimpleAssignmentOperation assignment when assignment.Value == child:
                if (assignment.Target is IDiscardOperation)
                {
                    return Use.Discarded;
                }

                return FiberContext.WalkDownConversions(assignment.Target) is ILocalReferenceOperation or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }
                    ? Use.Assigned
                    : Use.Escaped;
            case ISimpleAssignmentOperation:
                return Use.Neutral; // the target of an assignment: a write, handled by the assignment
            case IFlowCaptureOperation:
                return Use.Assigned;
            case IArgumentOperation { Parent: IInvocationOperation invocation } argument:
                return ArgumentUse(invocation, argument);
            case IArrayInitializerOperation or ICollectionExpressionOperation:
                return ElementUse(parent);
            case IInvocationOperation invocation when invocation.Instance == child:
            case IPropertyReferenceOperation property when property.Instance == child:
                return Use.Neutral;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                when IsNullLiteral(binary.LeftOperand) || IsNullLiteral(binary.RightOperand):
            case IIsNullOperation:
            case IIsPatternOperation { Pattern: IConstantPatternOperation or INegatedPatternOperation { Pattern: IConstantPatternOperation } }:
                return Use.Neutral;
            default:
                return Use.Escaped;
        }
    }

    private Use ArgumentUse(IInvocationOperation invocation, IArgumentOperation argument)
    {
        if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
        {
            return Use.Escaped;
        }

        return _rules.ArgumentUse(invocation, argument) switch
        {
            ValueUse.Consume => Use.Consumed,
            ValueUse.Neutral => Use.Neutral,
            _ => Use.Escaped,
        };
    }

    /// <summary>An element of an array or collection: consumed when the collection is a <c>params</c> argument of a consumer.</summary>
    private Use ElementUse(IOperation collection)
    {
        var current = collection;
        while (current.Parent is IArrayInitializerOperation or IArrayCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        if (current.Parent is IArgumentOperation { Parent: IInvocationOperation invocation } argument)
        {
            return ArgumentUse(invocation, argument);
        }

        return Use.Escaped;
    }
}
