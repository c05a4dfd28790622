using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// A proof, on a [Fiber] method's operation tree alone, that a rule's flow over its control-flow graph
/// (<see cref="ObligationFlow"/>) would report nothing: then the graph, most of what the two flow rules cost, is never
/// built. It proves or gives up, never reports: where it gives up (any construct outside the few it knows, any use of
/// a tracked variable it does not model), the graph is built and analysed as before, so no diagnostic can change as
/// long as every proof it makes holds. It holds because the proof over-approximates the graph flow's pending
/// obligations at every point:
/// <list type="bullet">
/// <item>Only straight-line code, <c>if</c>/<c>else</c>, <c>return</c>, <c>throw</c> and <c>try</c>/<c>catch</c>/<c>finally</c>
/// (no loop, no jump, no filter, no operator that branches inside an expression): the graph's blocks then follow the tree,
/// operands are evaluated in the tree's order, and each path runs each statement at most once.</item>
/// <item>Every obligation has one holder for good: a spawn's promise is the initializer of a local declaration, an
/// owned resource a local or parameter; that variable is never written again, copied, passed by reference or returned.
/// So no obligation is ever lost by an overwrite (the flow's <see cref="Violation.Overwritten"/>), nor discarded or
/// returned (<see cref="Violation.Discarded"/>, <see cref="Violation.Returned"/>), and a state is the set of pending
/// obligations.</item>
/// <item>A read of a holder is an argument of a call (its use given by the same <see cref="ObligationRules.ArgumentUse"/>
/// the flow asks) or the receiver of a call or property (neutral): the flow classifies exactly these the same way.</item>
/// <item>A catch is entered with every obligation pending anywhere in its try (the flow: those pending all through it),
/// a finally runs once per path through it as in the flow, and a variable the flow would not track (captured by a
/// lambda) or a null test it would use to forget one is tracked and ignored here: each only keeps more pending.</item>
/// <item>Anything pending at a normal exit, on any path, fails the proof (the flow reports it when the function is a
/// task body or the holder is certainly the function's own; the proof does not ask which).</item>
/// </list>
/// A fiber body lambda or local function holding a source has a graph of its own: a method with one is not proved.
/// The test suite runs every analyzer test with and without the proof (<see cref="OptionName"/>) and compares.
/// </summary>
internal sealed class StructuredFlow
{
    /// <summary>
    /// The global analyzer option (<c>.globalconfig</c>: <c>miou_analyzers.structured_flow = false</c>) that turns the
    /// proof off: every [Fiber] method that spawns or owns is analysed on its graph. For comparing the two paths.
    /// </summary>
    public const string OptionName = "miou_analyzers.structured_flow";

    /// <summary>The most sources and holders a proof tracks (one bit each in a word).</summary>
    private const int MaxTracked = 64;

    /// <summary>
    /// One proof per thread, reused: its lists and stacks keep their capacity, so a proof allocates next to nothing (the
    /// analyzers run concurrently, each callback on one thread, and a proof calls nothing that could start another).
    /// </summary>
    [ThreadStatic]
    private static StructuredFlow? t_reused;

    private ObligationRules _rules = null!;
    private Func<IInvocationOperation, bool> _isSource = null!;
    private readonly List<IOperation> _sources = new();
    private readonly List<ISymbol> _holders = new();

    /// <summary>Per source number, the number of the one variable holding its obligation.</summary>
    private readonly List<int> _holderOf = new();

    /// <summary>Per holder number, the sources it holds (a bit each).</summary>
    private ulong[] _heldBy = Array.Empty<ulong>();

    /// <summary>Per try being walked (innermost last), every obligation pending at some point in it: what its catches start with.</summary>
    private readonly List<ulong> _tries = new();

    /// <summary>The finally blocks around the statement being walked, innermost last: a return runs them on its way out.</summary>
    private readonly List<IBlockOperation> _finallies = new();

    /// <summary>The stack of <see cref="Expression"/>'s walks, reused.</summary>
    private readonly Stack<(IOperation Operation, bool Expanded)> _walk = new();

    /// <summary>The first pass's walk, and the variables it finds written (reused).</summary>
    private readonly Stack<IOperation> _collecting = new();
    private readonly List<ISymbol> _writes = new();

    /// <summary>Where the proof gave up, if it did.</summary>
    private IOperation? _blocker;

    /// <summary>Starts a proof afresh (what a previous one left is cleared, capacities kept).</summary>
    private void Start(ObligationRules rules, Func<IInvocationOperation, bool> isSource)
    {
        _rules = rules;
        _isSource = isSource;
        _sources.Clear();
        _holders.Clear();
        _holderOf.Clear();
        _tries.Clear();
        _finallies.Clear();
        _walk.Clear();
        _collecting.Clear();
        _writes.Clear();
        _blocker = null;
    }

    /// <summary>Whether the proof is on for this compilation (it is unless <see cref="OptionName"/> says <c>false</c>).</summary>
    public static bool IsEnabled(AnalyzerOptions options) =>
        !(options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(OptionName, out var value) &&
          string.Equals(value.Trim(), "false", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether every obligation <paramref name="rules"/> tracks in <paramref name="body"/> is certainly settled on every
    /// normal path to its exit, with nothing discarded or overwritten: the graph flow would report nothing.
    /// <paramref name="sources"/> is the number of calls satisfying <paramref name="isSource"/> in the whole tree, lambdas
    /// included: if some lie in a nested function, the proof does not apply.
    /// </summary>
    public static bool ProvesSettled(IMethodBodyOperation body, ObligationRules rules, Func<IInvocationOperation, bool> isSource, int sources) =>
        Blocker(body, rules, isSource, sources) is null;

    /// <summary>
    /// Where <see cref="ProvesSettled"/> gives up: the operation it does not model, the statement where an obligation
    /// may still be pending at the exit (a return, or the body for its end), the body itself when it is not a block or
    /// some source lies in a nested function; null when it proves the body settled.
    /// </summary>
    public static IOperation? Blocker(IMethodBodyOperation body, ObligationRules rules, Func<IInvocationOperation, bool> isSource) =>
        Blocker(body, rules, isSource, GraphScan.CallsIn(body).FindAll(invocation => isSource(invocation)).Count);

    private static IOperation? Blocker(IMethodBodyOperation body, ObligationRules rules, Func<IInvocationOperation, bool> isSource, int sources)
    {
        if (body.BlockBody is not { } block || body.ExpressionBody is not null)
        {
            return body;
        }

        var proof = t_reused ?? new StructuredFlow();
        t_reused = null; // taken: were a proof ever to start another on this thread, that one would make its own
        proof.Start(rules, isSource);
        try
        {
            if (!proof.Collect(block, sources))
            {
                return proof._blocker ?? body;
            }

            var end = proof.Statement(block, 0);
            return proof._blocker ?? (end is { } pending && pending != 0 ? body : null);
        }
        finally
        {
            proof.Start(null!, null!); // holds no operation or symbol of this compilation while it waits
            t_reused = proof;
        }
    }

    /// <summary>
    /// The first pass: every operation outside nested functions is one the proof knows, each source starts an obligation
    /// on one variable, and no holder is ever written but by its declaration, copied, or passed by reference.
    /// </summary>
    private bool Collect(IBlockOperation block, int sources)
    {
        var found = 0;
        var writes = _writes;
        var pending = _collecting;
        pending.Push(block);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            switch (operation.Kind)
            {
                case OperationKind.AnonymousFunction or OperationKind.LocalFunction:
                    continue; // a graph of its own; a source inside one fails the count below
                case OperationKind.Invocation:
                    var invocation = (IInvocationOperation)operation;
                    if (_isSource(invocation))
                    {
                        found++;
                        if (!Source(invocation))
                        {
                            _blocker = invocation;
                            return false;
                        }
                    }

                    break;
                case OperationKind.SimpleAssignment:
                    if (FiberContext.WalkDownConversions(((ISimpleAssignmentOperation)operation).Target) is ILocalReferenceOperation or IParameterReferenceOperation &&
                        ObligationFlow.HolderOf(((ISimpleAssignmentOperation)operation).Target) is ISymbol written)
                    {
                        writes.Add(written);
                    }

                    break;
                case OperationKind.VariableDeclarator:
                    // A declaration copying another variable (an alias, which MIOU0006 follows) counts as a write of both.
                    if (((IVariableDeclaratorOperation)operation).Initializer is { } initializer && ObligationFlow.HolderOf(initializer.Value) is ISymbol copied)
                    {
                        writes.Add(copied);
                        writes.Add(((IVariableDeclaratorOperation)operation).Symbol);
                    }

                    break;
                case OperationKind.Argument:
                    if (((IArgumentOperation)operation).Parameter?.RefKind is not (null or RefKind.None) &&
                        ObligationFlow.HolderOf(((IArgumentOperation)operation).Value) is ISymbol byReference)
                    {
                        writes.Add(byReference);
                    }

                    break;
                case OperationKind.Conditional when ((IConditionalOperation)operation).Type is not null:
                    _blocker = operation;
                    return false; // c ? a : b branches inside an expression
                case OperationKind.Binary when ((IBinaryOperation)operation).OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr:
                    _blocker = operation;
                    return false;
                case OperationKind.CatchClause when ((ICatchClauseOperation)operation).Filter is not null:
                    _blocker = operation;
                    return false;
                case OperationKind.ObjectCreation when ((IObjectCreationOperation)operation).Initializer is not null:
                    _blocker = operation;
                    return false;
                case OperationKind.Block or OperationKind.ExpressionStatement or OperationKind.VariableDeclarationGroup or OperationKind.VariableDeclaration or
                    OperationKind.VariableInitializer or OperationKind.Return or OperationKind.Throw or OperationKind.Conditional or OperationKind.Try or
                    OperationKind.CatchClause or OperationKind.Empty or OperationKind.LocalReference or OperationKind.ParameterReference or
                    OperationKind.Literal or OperationKind.Conversion or OperationKind.Binary or OperationKind.Unary or OperationKind.FieldReference or
                    OperationKind.PropertyReference or OperationKind.InstanceReference or OperationKind.ObjectCreation or OperationKind.DelegateCreation or
                    OperationKind.TypeOf or OperationKind.DefaultValue or OperationKind.NameOf:
                    break;
                default:
                    _blocker = operation;
                    return false; // a loop, a jump, a using, a switch, an operator that branches, …: the graph knows
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }

        if (found != sources || _holders.Count > MaxTracked)
        {
            return false; // a source in a nested function (a graph of its own), or too much to track in a word
        }

        foreach (var written in writes)
        {
            if (HolderNumber(written, add: false) >= 0)
            {
                return false; // a holder written or copied: the flow follows aliases and overwrites, the proof does not
            }
        }

        if (_heldBy.Length < _holders.Count)
        {
            _heldBy = new ulong[MaxTracked];
        }
        else
        {
            Array.Clear(_heldBy, 0, _holders.Count);
        }
        for (var source = 0; source < _holderOf.Count; source++)
        {
            _heldBy[_holderOf[source]] |= 1UL << source;
        }

        return true;
    }

    /// <summary>Numbers a source and its holder: a spawn's value declared into a local, or the variable an <c>Own</c> call owns.</summary>
    private bool Source(IInvocationOperation invocation)
    {
        ISymbol holder;
        if (_rules.ArgumentSource(invocation) is { } argument)
        {
            if (ObligationFlow.HolderOf(argument) is not ISymbol owned)
            {
                return true; // owns what no variable holds: the flow starts nothing either
            }

            holder = owned;
        }
        else if (FiberContext.WalkUpConversions(invocation, out _) is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            holder = declarator.Symbol;
        }
        else
        {
            return false; // discarded, passed on, returned, assigned: the flow classifies it
        }

        if (_sources.Count == MaxTracked)
        {
            return false;
        }

        _sources.Add(invocation);
        _holderOf.Add(HolderNumber(holder, add: true));
        return true;
    }

    private int HolderNumber(ISymbol holder, bool add)
    {
        for (var i = 0; i < _holders.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(_holders[i], holder))
            {
                return i;
            }
        }

        if (!add)
        {
            return -1;
        }

        _holders.Add(holder);
        return _holders.Count - 1;
    }

    /// <summary>
    /// Walks a statement entered with the obligations <paramref name="state"/> pending; returns those pending where it
    /// completes normally, or null when it never does (it returns or throws on every path).
    /// </summary>
    private ulong? Statement(IOperation statement, ulong state)
    {
        if (_blocker is not null)
        {
            return null;
        }

        switch (statement)
        {
            case IBlockOperation block:
                ulong? current = state;
                foreach (var inner in block.Operations)
                {
                    if (current is not { } live)
                    {
                        break; // unreachable code: the graph has no path through it either
                    }

                    current = Statement(inner, live);
                }

                return current;
            case IConditionalOperation conditional:
                state = Expression(conditional.Condition, state);
                var whenTrue = Statement(conditional.WhenTrue, state);
                var whenFalse = conditional.WhenFalse is { } otherwise ? Statement(otherwise, state) : state;
                return whenTrue is null ? whenFalse : whenFalse is null ? whenTrue : whenTrue.Value | whenFalse.Value;
            case IReturnOperation ret:
                if (ret.ReturnedValue is { } value)
                {
                    state = Expression(value, state);
                }

                Exit(ret, state);
                return null;
            // A throw statement is a throw operation in an expression statement, or on its own (C#'s).
            case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                if ((statement as IThrowOperation ?? (IThrowOperation)((IExpressionStatementOperation)statement).Operation).Exception is { } exception)
                {
                    Expression(exception, state);
                }

                return null; // an exception: a catch around starts from what its try had pending anywhere
            case ITryOperation tryOperation:
                return Try(tryOperation, state);
            default:
                // An expression statement, a declaration, an empty statement, a local function (run where it is called:
                // one without a source starts nothing).
                return Expression(statement, state);
        }
    }

    private ulong? Try(ITryOperation tryOperation, ulong state)
    {
        if (tryOperation.Finally is { } finallyBlock)
        {
            _finallies.Add(finallyBlock);
        }

        _tries.Add(state);
        var afterBody = Statement(tryOperation.Body, state);
        var anywhere = _tries[_tries.Count - 1];
        _tries.RemoveAt(_tries.Count - 1);
        ulong? after = afterBody;
        foreach (var handler in tryOperation.Catches)
        {
            // Still inside the try statement: a return in a catch runs the finally, a throw reaches the enclosing tries.
            var afterCatch = Statement(handler.Handler, anywhere);
            after = after is null ? afterCatch : afterCatch is null ? after : after.Value | afterCatch.Value;
        }

        if (tryOperation.Finally is not { } final)
        {
            return after;
        }

        _finallies.RemoveAt(_finallies.Count - 1);
        return after is { } reaching ? Statement(final, reaching) : null;
    }

    /// <summary>A return: the finally blocks around it run, innermost first, then whatever is still pending fails the proof.</summary>
    private void Exit(IOperation exit, ulong state)
    {
        ulong? current = state;
        var finallies = _finallies.ToArray();
        for (var i = finallies.Length - 1; i >= 0 && current is { } live; i--)
        {
            // The finally runs outside its own try: a return or throw in it leaves by the enclosing ones.
            _finallies.RemoveRange(i, _finallies.Count - i);
            current = Statement(finallies[i], live);
        }

        _finallies.Clear();
        _finallies.AddRange(finallies);
        if (current is { } atExit && atExit != 0)
        {
            _blocker ??= exit;
        }
    }

    /// <summary>
    /// Evaluates an expression (or a declaration), operands before the operation that uses them as the graph does: a
    /// holder's read may settle what it holds, a source starts its obligation.
    /// </summary>
    private ulong Expression(IOperation root, ulong state)
    {
        _walk.Push((root, false));
        while (GraphScan.NextPostOrder(_walk, out var operation))
        {
            switch (operation.Kind)
            {
                case OperationKind.Invocation:
                    var source = _sources.IndexOf(operation);
                    if (source >= 0)
                    {
                        state = Started(state, 1UL << source);
                    }

                    break;
                case OperationKind.LocalReference or OperationKind.ParameterReference:
                    if (ObligationFlow.HolderOf(operation) is ISymbol symbol && HolderNumber(symbol, add: false) is var holder and >= 0)
                    {
                        state = Read(operation, holder, state);
                    }

                    break;
            }
        }

        return state;
    }

    /// <summary>An obligation starts: every try being walked has it pending at some point.</summary>
    private ulong Started(ulong state, ulong source)
    {
        for (var i = 0; i < _tries.Count; i++)
        {
            _tries[i] |= source;
        }

        return state | source;
    }

    /// <summary>A read of a holder: an argument (what the rule says of it), or a call's or property's receiver (neutral).</summary>
    private ulong Read(IOperation reference, int holder, ulong state)
    {
        switch (FiberContext.WalkUpConversions(reference, out var child))
        {
            case IArgumentOperation { Parent: IInvocationOperation invocation, Parameter.RefKind: RefKind.None } argument:
                return _rules.ArgumentUse(invocation, argument) == ValueUse.Neutral ? state : state & ~_heldBy[holder];
            case IInvocationOperation invocation when invocation.Instance == child:
                return state;
            case IPropertyReferenceOperation property when property.Instance == child:
                return state;
            default:
                _blocker ??= reference; // a use the proof does not model
                return state;
        }
    }
}
