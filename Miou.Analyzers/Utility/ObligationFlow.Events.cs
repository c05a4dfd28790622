using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// A block's operations compiled, once per flow, into the few events the analysis acts on, in the order it meets them
/// (operands before the operation that uses them). What an operation means for an obligation does not depend on the state
/// (whether a call is a source, how a read uses a holder), so it is worked out once, not each time the fixed point or a
/// finally region runs the block again.
/// </summary>
internal sealed partial class ObligationFlow
{
    private enum EventKind
    {
        /// <summary>A holder (variable, flow capture) is assigned a value: <see cref="FlowEvent.Operation"/>.</summary>
        Bind,

        /// <summary>An obligation starts on the variable passed to the call (<c>Ownership.Own(r)</c>).</summary>
        Own,

        /// <summary>A source's value is discarded, read once and dropped, or returned: reported as such.</summary>
        SourceValue,

        /// <summary>A holder is read by a use that consumes, escapes or returns what it holds.</summary>
        HolderRead,
    }

    private readonly struct FlowEvent
    {
        public FlowEvent(EventKind kind, IOperation operation, object? holder, Use use = default, object? other = null, bool isSource = false, bool untracked = false)
        {
            Kind = kind;
            Operation = operation;
            Holder = holder;
            Use = use;
            Other = other;
            IsSource = isSource;
            Untracked = untracked;
        }

        public EventKind Kind { get; }

        /// <summary>The source call (Own, SourceValue), the reference read (HolderRead), the value bound, conversions aside (Bind).</summary>
        public IOperation Operation { get; }

        /// <summary>The holder bound (Bind), owned (Own) or read (HolderRead).</summary>
        public object? Holder { get; }

        /// <summary>How the value is used (SourceValue, HolderRead).</summary>
        public Use Use { get; }

        /// <summary>Bind: the holder the bound value is read from, if it is one.</summary>
        public object? Other { get; }

        /// <summary>Bind: the value bound is a source's (an obligation starts in the holder).</summary>
        public bool IsSource { get; }

        /// <summary>Bind: the holder must not hold obligations (what it is given escapes).</summary>
        public bool Untracked { get; }
    }

    /// <summary>Every block's events, indexed by ordinal; a block without any has an empty array.</summary>
    private FlowEvent[][] CompileEvents()
    {
        var blocks = _graph.Blocks;
        var compiled = new FlowEvent[blocks.Length][];
        var events = new List<FlowEvent>();
        foreach (var block in blocks)
        {
            events.Clear();
            foreach (var operation in block.Operations)
            {
                Compile(operation, operation, returned: false, events);
            }

            if (block.BranchValue is { } value)
            {
                var returned = block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return && block.ConditionalSuccessor is null;
                Compile(value, value, returned, events);
            }

            compiled[block.Ordinal] = events.Count == 0 ? Array.Empty<FlowEvent>() : events.ToArray();
        }

        return compiled;
    }

    private void Compile(IOperation operation, IOperation root, bool returned, List<FlowEvent> events)
    {
        if (operation is IFlowAnonymousFunctionOperation)
        {
            return; // a nested function: its own graph
        }

        foreach (var child in operation.ChildOperations)
        {
            Compile(child, root, returned, events);
        }

        // Switched on the kind first: an interface type test per operation costs more than the rest of the walk.
        switch (operation.Kind)
        {
            case OperationKind.SimpleAssignment:
                var assignment = (ISimpleAssignmentOperation)operation;
                // A write to a discard is classified as discarded where the value is read.
                if (assignment.Target is not IDiscardOperation && HolderOf(assignment.Target) is { } holder &&
                    FiberContext.WalkDownConversions(assignment.Target) is ILocalReferenceOperation or IParameterReferenceOperation)
                {
                    events.Add(BindEvent(holder, assignment.Value));
                }

                return;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                events.Add(BindEvent(capture.Id, capture.Value));
                return;
            case OperationKind.Invocation:
                var invocation = (IInvocationOperation)operation;
                if (_rules.ArgumentSource(invocation) is { } argument && HolderOf(argument) is { } owner && !IsUntracked(owner))
                {
                    events.Add(new FlowEvent(EventKind.Own, invocation, owner));
                    return;
                }

                if (_rules.IsValueSource(invocation))
                {
                    var use = Classify(invocation, root, returned);
                    var reported = use is Use.Discarded or Use.Neutral ? _rules.ReportsLostReferences : use == Use.Returned && _newTask;
                    if (reported)
                    {
                        events.Add(new FlowEvent(EventKind.SourceValue, invocation, holder: null, use));
                    }
                }

                return;
            case OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.FlowCaptureReference:
                // A read of a holder (a parameter passed by reference is none): what the use does with what it holds.
                if (HolderOf(operation) is { } read &&
                    Classify(operation, root, returned) is var readUse and (Use.Consumed or Use.Escaped or Use.Returned))
                {
                    events.Add(new FlowEvent(EventKind.HolderRead, operation, read, readUse));
                }

                return;
        }
    }

    private FlowEvent BindEvent(object holder, IOperation value)
    {
        var inner = FiberContext.WalkDownConversions(value);
        var isSource = inner is IInvocationOperation invocation && _rules.IsValueSource(invocation);
        return new FlowEvent(EventKind.Bind, inner, holder, other: isSource ? null : HolderOf(inner), isSource: isSource, untracked: IsUntracked(holder));
    }
}
