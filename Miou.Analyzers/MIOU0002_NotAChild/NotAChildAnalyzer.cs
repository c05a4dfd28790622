using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0002: an await or cancel of a promise that is certainly not the current task's child — the compile-time
/// <c>Not_a_child</c>. Certain means: a local that only ever holds promises spawned by an enclosing function, read inside
/// a fiber body that runs as a new task (a child's or a sibling's body). A promise received as a parameter is never
/// reported: a [Fiber] method runs inline in its caller's task and may well be handed that task's own child.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NotAChildAnalyzer : MiouAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public NotAChildAnalyzer()
        : base(Descriptors.MIOU0002_NotAChild)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        context.RegisterOperationAction(operation => Analyze(operation, symbols), OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, MiouSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (symbols.PromiseUseOf(invocation.TargetMethod, 1) == PromiseUse.Unknown)
        {
            return;
        }

        var verb = invocation.TargetMethod.Name.StartsWith("Cancel", System.StringComparison.Ordinal) ? "cancel" : "await";
        foreach (var argument in invocation.Arguments)
        {
            foreach (var value in Promises(argument.Value))
            {
                if (value is ILocalReferenceOperation reference && IsCertainlyNotAChild(reference, symbols))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0002_NotAChild, reference.Syntax.GetLocation(), reference.Local.Name, verb));
                }
            }
        }
    }

    private static IEnumerable<IOperation> Promises(IOperation argument)
    {
        var value = FiberContext.WalkDownConversions(argument);
        switch (value)
        {
            case IArrayCreationOperation { Initializer: { } initializer }:
                foreach (var element in initializer.ElementValues)
                {
                    yield return FiberContext.WalkDownConversions(element);
                }

                break;
            case ICollectionExpressionOperation collection:
                foreach (var element in collection.Elements)
                {
                    yield return FiberContext.WalkDownConversions(element);
                }

                break;
            default:
                yield return value;
                break;
        }
    }

    private static bool IsCertainlyNotAChild(ILocalReferenceOperation reference, MiouSymbols symbols)
    {
        var local = reference.Local;
        if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1 ||
            local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax)
        {
            return false; // foreach, pattern, out var, catch variables: what they hold is not known here
        }

        // Walk out to the function that declares the local; at least one new task must lie in between, and nothing that
        // might run in some other way (a plain lambda or a local function may be called from anywhere).
        var crossesTask = false;
        var function = FiberContext.EnclosingFunction(reference);
        for (; function is not null && !Declares(function, local); function = FiberContext.EnclosingFunction(function))
        {
            if (function is not IAnonymousFunctionOperation || FiberContext.FiberBodyCall(function, symbols) is not { } call)
            {
                return false;
            }

            crossesTask |= symbols.StartsNewTask(call.Invocation.TargetMethod, call.Parameter);
        }

        if (!crossesTask)
        {
            return false;
        }

        // The declaring function's root: the lambda, or the top of the member's operation tree.
        var root = function ?? Top(reference);
        return OnlyHoldsOwnSpawns(root, function, local, symbols);
    }

    private static bool Declares(IOperation function, ILocalSymbol local) => function switch
    {
        IAnonymousFunctionOperation lambda => SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, lambda.Symbol),
        ILocalFunctionOperation localFunction => SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, localFunction.Symbol),
        _ => false,
    };

    private static IOperation Top(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>Every write of <paramref name="local"/> is made by its declaring function and stores a spawn's promise, or null.</summary>
    private static bool OnlyHoldsOwnSpawns(IOperation root, IOperation? declaringFunction, ILocalSymbol local, MiouSymbols symbols)
    {
        var spawned = false;
        foreach (var operation in root.Descendants())
        {
            IOperation? written = null;
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    written = declarator.Initializer?.Value;
                    if (written is null)
                    {
                        continue;
                    }

                    break;
                case ISimpleAssignmentOperation assignment when IsLocal(assignment.Target, local):
                    written = assignment.Value;
                    break;
                case ILocalReferenceOperation other when SymbolEqualityComparer.Default.Equals(other.Local, local):
                    if (IsOtherWrite(other))
                    {
                        return false;
                    }

                    continue;
                default:
                    continue;
            }

            if (!ReferenceEquals(FiberContext.EnclosingFunction(operation), declaringFunction))
            {
                return false; // written by a nested function, maybe the very task that awaits it
            }

            var value = FiberContext.WalkDownConversions(written);
            if (value is IInvocationOperation invocation && symbols.IsSpawn(invocation.TargetMethod))
            {
                spawned = true;
            }
            else if (value is not ({ ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation))
            {
                return false;
            }
        }

        return spawned;
    }

    private static bool IsLocal(IOperation operation, ILocalSymbol local) =>
        operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local);

    /// <summary>A write other than a plain assignment: ref/out argument, compound or coalescing assignment, deconstruction, …</summary>
    private static bool IsOtherWrite(ILocalReferenceOperation reference) => reference.Parent switch
    {
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
        ICompoundAssignmentOperation compound => compound.Target == reference,
        ICoalesceAssignmentOperation coalesce => coalesce.Target == reference,
        IIncrementOrDecrementOperation => true,
        ITupleOperation { Parent: IDeconstructionAssignmentOperation } => true,
        IDeclarationExpressionOperation => true,
        _ => false,
    };
}
