using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers;

/// <summary>What kind of code a function is, as far as Miou is concerned.</summary>
internal enum FunctionKind
{
    /// <summary>Plain code: neither a [Fiber] method nor a fiber body nor an async fiber.</summary>
    NotFiber,

    /// <summary>A [Fiber] method, or a lambda passed as a fiber body from one: written in direct style.</summary>
    DirectStyle,

    /// <summary>An <c>async</c> method or lambda returning <c>Fiber</c>/<c>Fiber&lt;T&gt;</c>, written by hand.</summary>
    HandWritten,
}

/// <summary>Finds the function an operation belongs to and whether it runs as a fiber.</summary>
internal static class FiberContext
{
    /// <summary>The innermost function (lambda, local function, or the member's body: null) holding <paramref name="operation"/>.</summary>
    public static IOperation? EnclosingFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current;
            }
        }

        return null;
    }

    /// <summary>The kind of the function that holds <paramref name="operation"/>.</summary>
    public static FunctionKind KindAt(IOperation operation, ISymbol containingSymbol, MiouSymbols symbols) =>
        KindOf(EnclosingFunction(operation), containingSymbol, symbols);

    /// <summary>The kind of <paramref name="function"/> (null: the member body of <paramref name="containingSymbol"/>).</summary>
    public static FunctionKind KindOf(IOperation? function, ISymbol containingSymbol, MiouSymbols symbols)
    {
        switch (function)
        {
            case null:
                return containingSymbol is IMethodSymbol method ? KindOfMethod(method, symbols) : FunctionKind.NotFiber;
            case ILocalFunctionOperation local:
                return KindOfMethod(local.Symbol, symbols);
            case IAnonymousFunctionOperation lambda:
                if (lambda.Symbol.IsAsync && symbols.ReturnsFiber(lambda.Symbol))
                {
                    return FunctionKind.HandWritten;
                }

                if (FiberBodyCall(lambda, symbols) is { } call)
                {
                    return KindAt(call.Invocation, containingSymbol, symbols) == FunctionKind.DirectStyle
                        ? FunctionKind.DirectStyle
                        : FunctionKind.NotFiber;
                }

                return FunctionKind.NotFiber;
            default:
                return FunctionKind.NotFiber;
        }
    }

    /// <summary>Whether the code at <paramref name="operation"/> runs in a fiber (direct style or hand-written).</summary>
    public static bool IsInFiber(IOperation operation, ISymbol containingSymbol, MiouSymbols symbols) =>
        KindAt(operation, containingSymbol, symbols) != FunctionKind.NotFiber;

    private static FunctionKind KindOfMethod(IMethodSymbol method, MiouSymbols symbols)
    {
        if (symbols.IsFiberMethod(method))
        {
            return FunctionKind.DirectStyle;
        }

        return method.IsAsync && symbols.ReturnsFiber(method) ? FunctionKind.HandWritten : FunctionKind.NotFiber;
    }

    /// <summary>When <paramref name="function"/> is passed to a <c>[FiberBody]</c> parameter: the call and the parameter.</summary>
    public static (IInvocationOperation Invocation, IParameterSymbol Parameter)? FiberBodyCall(IOperation function, MiouSymbols symbols)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        if (current is IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation invocation } && symbols.IsFiberBody(parameter))
        {
            return (invocation, parameter);
        }

        return null;
    }

    /// <summary>Whether <paramref name="function"/> is a fiber body that runs as a new task (a child's body).</summary>
    public static bool IsNewTaskBody(IOperation function, MiouSymbols symbols) =>
        FiberBodyCall(function, symbols) is { } call && symbols.StartsNewTask(call.Invocation.TargetMethod, call.Parameter);

    /// <summary>Skips implicit and explicit conversions.</summary>
    public static IOperation WalkDownConversions(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>The first ancestor that is not a conversion, and the child of it on the way.</summary>
    public static IOperation? WalkUpConversions(IOperation operation, out IOperation child)
    {
        child = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent;
    }

    /// <summary>Whether a suspending call lies in <paramref name="root"/> (within <paramref name="window"/>), nested functions aside; an <c>await</c> counts too.</summary>
    public static bool ContainsSuspension(IOperation root, MiouSymbols symbols, TextSpan? window)
    {
        var pending = new System.Collections.Generic.Stack<IOperation>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if ((operation is IAwaitOperation || (operation is IInvocationOperation invocation && symbols.IsSuspending(invocation.TargetMethod))) &&
                (window is not { } span || span.Contains(operation.Syntax.SpanStart)))
            {
                return true;
            }

            foreach (var child in operation.ChildOperations)
            {
                if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    pending.Push(child);
                }
            }
        }

        return false;
    }
}
