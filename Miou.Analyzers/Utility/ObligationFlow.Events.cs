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
        public FlowEvent(EventKind kind, IOperation operation, int holder = -1, Use use = default, int other = -1, int source = -1,
            bool untracked = false, int[]? aliases = null)
        {
            Kind = kind;
            Operation = operation;
            Holder = holder;
            Use = use;
            Other = other;
            Source = source;
            Untracked = untracked;
            Aliases = aliases;
        }

        public EventKind Kind { get; }

        /// <summary>The source call (Own, SourceValue), the reference read (HolderRead), the value bound, conversions aside (Bind).</summary>
        public IOperation Operation { get; }

        /// <summary>The number of the holder bound (Bind), owned (Own) or read (HolderRead).</summary>
        public int Holder { get; }

        /// <summary>How the value is used (SourceValue, HolderRead).</summary>
        public Use Use { get; }

        /// <summary>Bind: the number of the holder the bound value is read from, if it is one (else -1).</summary>
        public int Other { get; }

        /// <summary>Own, and Bind of a source's value: the number of the source (an obligation starts in the holder); else -1.</summary>
        public int Source { get; }

        /// <summary>Bind: the value bound is a source's.</summary>
        public bool IsSource => Source >= 0;

        /// <summary>Bind: the holder must not hold obligations (what it is given escapes).</summary>
        public bool Untracked { get; }

        /// <summary>Own: the numbers of the other variables that may refer to the owned object.</summary>
        public int[]? Aliases { get; }
    }

    /// <summary>Every block's events, indexed by ordinal; a block without any has an empty array.</summary>
    private FlowEvent[][] CompileEvents()
    {
        // The operations to look at were found by the graph's one shared walk (GraphScan), in the order the flow meets them.
        var sites = GraphScan.Of(_graph).Sites;
        _mayHold = MayHold(sites);
        var compiled = new FlowEvent[sites.Length][];
        var events = new List<FlowEvent>();
        for (var ordinal = 0; ordinal < sites.Length; ordinal++)
        {
            events.Clear();
            foreach (var site in sites[ordinal])
            {
                Compile(site, events);
            }

            compiled[ordinal] = events.Count == 0 ? Array.Empty<FlowEvent>() : events.ToArray();
        }

        // A null test of a holder some event numbered: on the branch where it is null, it holds nothing.
        _nullTests = new (int Holder, bool NullWhenTrue)[sites.Length];
        foreach (var block in _graph.Blocks)
        {
            _nullTests[block.Ordinal] = block.ConditionalSuccessor is not null && block.BranchValue is { } test &&
                NullTest(test, out var tested, out var nullWhenTrue) && _holderNumbers.TryGetValue(tested, out var number)
                ? (number, nullWhenTrue)
                : (-1, false);
        }

        _layout = new Layout(_sourceList.ToArray(), _holderList.ToArray());
        return compiled;
    }

    /// <summary>The number of a source, given on first sight.</summary>
    private int SourceNumber(IOperation source)
    {
        // A function has a few sources: a list searched beats a table.
        var number = _sourceList.IndexOf(source);
        if (number < 0)
        {
            number = _sourceList.Count;
            _sourceList.Add(source);
        }

        return number;
    }

    /// <summary>The number of a holder (equal symbols, equal capture ids: one holder), given on first sight.</summary>
    private int HolderNumber(object holder)
    {
        if (!_holderNumbers.TryGetValue(holder, out var number))
        {
            _holderNumbers.Add(holder, number = _holderList.Count);
            _holderList.Add(holder);
        }

        return number;
    }

    private void Compile(in Site site, List<FlowEvent> events)
    {
        var operation = site.Operation;
        switch (operation.Kind)
        {
            case OperationKind.SimpleAssignment or OperationKind.FlowCapture:
                // A holder that never holds an obligation loses nothing when overwritten: no event.
                if (Binding(operation, out var holder, out var value) && _mayHold!.Contains(holder))
                {
                    events.Add(BindEvent(holder, value));
                }

                return;
            case OperationKind.Invocation:
                var invocation = (IInvocationOperation)operation;
                if (Owner(invocation) is { } owner)
                {
                    int[]? aliases = null;
                    foreach (var alias in _rules.AliasesOf(owner))
                    {
                        aliases = [.. aliases ?? [], HolderNumber(alias)];
                    }

                    events.Add(new FlowEvent(EventKind.Own, invocation, HolderNumber(owner), source: SourceNumber(invocation), aliases: aliases));
                    return;
                }

                if (_rules.IsValueSource(invocation))
                {
                    var use = Classify(invocation, site.Root, site.Returned);
                    var reported = use is Use.Discarded or Use.Neutral ? _rules.ReportsLostReferences : use == Use.Returned && _newTask;
                    if (reported)
                    {
                        events.Add(new FlowEvent(EventKind.SourceValue, invocation, use: use));
                    }
                }

                return;
            case OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.FlowCaptureReference:
                // A read of a holder (a parameter passed by reference is none): what the use does with what it holds.
                if (HolderOf(operation) is { } read && _mayHold!.Contains(read) &&
                    Classify(operation, site.Root, site.Returned) is var readUse and (Use.Consumed or Use.Escaped or Use.Returned))
                {
                    events.Add(new FlowEvent(EventKind.HolderRead, operation, HolderNumber(read), readUse));
                }

                return;
        }
    }

    /// <summary>An assignment to a local or by-value parameter, or a flow capture: the holder and the value it is given.</summary>
    private static bool Binding(IOperation operation, out object holder, out IOperation value)
    {
        switch (operation)
        {
            // A write to a discard is classified as discarded where the value is read.
            case ISimpleAssignmentOperation assignment when assignment.Target is not IDiscardOperation && HolderOf(assignment.Target) is { } target &&
                FiberContext.WalkDownConversions(assignment.Target) is ILocalReferenceOperation or IParameterReferenceOperation:
                (holder, value) = (target, assignment.Value);
                return true;
            case IFlowCaptureOperation capture:
                (holder, value) = (capture.Id, capture.Value);
                return true;
            default:
                (holder, value) = (null!, null!);
                return false;
        }
    }

    /// <summary>The tracked variable a call starts an obligation on (<c>Ownership.Own(r)</c>'s), if any.</summary>
    private object? Owner(IInvocationOperation invocation) =>
        _rules.ArgumentSource(invocation) is { } argument && HolderOf(argument) is { } owner && !IsUntracked(owner) ? owner : null;

    /// <summary>
    /// The holders that may ever hold an obligation: those a source's value is bound to or an obligation starts on (with
    /// their aliases), and those copied from one of them, to a fixed point. Reads and writes of any other holder do
    /// nothing to a state (it holds nothing), so the flow gets no event for them and does not classify their uses.
    /// </summary>
    private HashSet<object> MayHold(Site[][] sites)
    {
        var mayHold = new HashSet<object>(Holders);
        List<(object To, object From)>? copies = null;
        foreach (var block in sites)
        {
            foreach (var site in block)
            {
                var operation = site.Operation;
                if (Binding(operation, out var holder, out var value))
                {
                    var inner = FiberContext.WalkDownConversions(value);
                    if (inner is IInvocationOperation invocation && _rules.IsValueSource(invocation))
                    {
                        mayHold.Add(holder);
                    }
                    else if (HolderOf(inner) is { } from)
                    {
                        (copies ??= new List<(object, object)>()).Add((holder, from));
                    }
                }
                else if (operation is IInvocationOperation call && Owner(call) is { } owner)
                {
                    mayHold.Add(owner);
                    foreach (var alias in _rules.AliasesOf(owner))
                    {
                        mayHold.Add(alias);
                    }
                }
            }
        }

        for (var changed = copies is not null && mayHold.Count > 0; changed;)
        {
            changed = false;
            foreach (var (to, from) in copies!)
            {
                changed |= mayHold.Contains(from) && mayHold.Add(to);
            }
        }

        return mayHold;
    }

    private FlowEvent BindEvent(object holder, IOperation value)
    {
        var inner = FiberContext.WalkDownConversions(value);
        var isSource = inner is IInvocationOperation invocation && _rules.IsValueSource(invocation);
        var other = isSource ? null : HolderOf(inner);
        return new FlowEvent(EventKind.Bind, inner, HolderNumber(holder), other: other is null || !_mayHold!.Contains(other) ? -1 : HolderNumber(other),
            source: isSource ? SourceNumber(inner) : -1, untracked: IsUntracked(holder));
    }
}
