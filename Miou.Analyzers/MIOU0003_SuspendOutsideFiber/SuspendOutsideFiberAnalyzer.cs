using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0003: a direct-style suspending call, or a call to a [Fiber] method, in code that is not a fiber: outside [Fiber]
/// methods and the fiber bodies they pass. Only Miou's generator makes such calls resumable, and it rewrites nothing
/// else; at run time they throw <c>NotInFiberException</c>. <c>Fiber.Run(Method)</c> is the supported entry point.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SuspendOutsideFiberAnalyzer : MiouAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public SuspendOutsideFiberAnalyzer()
        : base(Descriptors.MIOU0003_SuspendOutsideFiber)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        context.RegisterOperationAction(operation => AnalyzeCall(operation, symbols), OperationKind.Invocation);
        context.RegisterOperationAction(operation => AnalyzeMethodGroup(operation, symbols), OperationKind.MethodReference);
    }

    private static void AnalyzeCall(OperationAnalysisContext context, MiouSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!symbols.IsSuspending(method))
        {
            return;
        }

        var function = FiberContext.EnclosingFunction(invocation);
        var kind = FiberContext.KindOf(function, context.ContainingSymbol, symbols);
        if (kind == FunctionKind.DirectStyle || OuterCallIsReported(function, context.ContainingSymbol, symbols) ||
            IsRewrittenLocalFunction(function, context.ContainingSymbol, symbols))
        {
            return;
        }

        var location = invocation.Syntax is InvocationExpressionSyntax syntax ? syntax.Expression.GetLocation() : invocation.Syntax.GetLocation();
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0003_SuspendOutsideFiber, location, Name(method), Advice(function, kind, method, symbols)));
    }

    private static void AnalyzeMethodGroup(OperationAnalysisContext context, MiouSymbols symbols)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        var method = reference.Method;
        if (!symbols.IsSuspending(method))
        {
            return;
        }

        if (FiberContext.FiberBodyCall(reference, symbols) is { } call)
        {
            if (FiberContext.KindAt(call.Invocation, context.ContainingSymbol, symbols) == FunctionKind.DirectStyle || symbols.IsSuspending(call.Invocation.TargetMethod))
            {
                return; // a fiber body in a fiber; or the call taking it is reported itself
            }
        }

        if (IsEntryPointArgument(reference, symbols))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0003_SuspendOutsideFiber, reference.Syntax.GetLocation(), Name(method),
            "a delegate to it runs outside any fiber; call it from a [Fiber] method, pass it as a fiber body, or start it with Fiber.Run"));
    }

    /// <summary><c>Fiber.Run(Method)</c>: the generator routes it to the method's state machine.</summary>
    private static bool IsEntryPointArgument(IOperation operation, MiouSymbols symbols)
    {
        var current = operation.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current is IArgumentOperation { Parent: IInvocationOperation invocation } && IsRun(invocation.TargetMethod, symbols);
    }

    private static bool IsRun(IMethodSymbol method, MiouSymbols symbols) => symbols.IsOnFiber(method) && method.Name == "Run";

    /// <summary>Inside a fiber body passed to a suspending call that is reported already: one diagnostic is enough.</summary>
    private static bool OuterCallIsReported(IOperation? function, ISymbol containingSymbol, MiouSymbols symbols) =>
        function is IAnonymousFunctionOperation && FiberContext.FiberBodyCall(function, symbols) is { } call &&
        symbols.IsSuspending(call.Invocation.TargetMethod) &&
        FiberContext.KindAt(call.Invocation, containingSymbol, symbols) != FunctionKind.DirectStyle;

    /// <summary>
    /// A local function declared in a [Fiber] method (or its fiber bodies), directly or in another such local function: the
    /// generator makes each one that suspends a fiber of its own and awaits the calls to it, so its suspensions work.
    /// </summary>
    private static bool IsRewrittenLocalFunction(IOperation? function, ISymbol containingSymbol, MiouSymbols symbols)
    {
        while (function is ILocalFunctionOperation local)
        {
            function = FiberContext.EnclosingFunction(local);
            if (FiberContext.KindOf(function, containingSymbol, symbols) == FunctionKind.DirectStyle)
            {
                return true;
            }
        }

        return false;
    }

    private static string Name(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    private static string Advice(IOperation? function, FunctionKind kind, IMethodSymbol method, MiouSymbols symbols)
    {
        if (kind == FunctionKind.HandWritten)
        {
            return symbols.AwaitableCounterpart(method) is { } counterpart
                ? $"in an async Fiber method, write 'await {method.ContainingType.Name}.{counterpart}(…)' instead"
                : "an async Fiber method is not rewritten; call it from a [Fiber] method instead";
        }

        return function switch
        {
            IAnonymousFunctionOperation lambda when FiberContext.FiberBodyCall(lambda, symbols) is null && IsEntryPointArgument(lambda, symbols) =>
                "Fiber.Run runs a lambda as plain code; pass a [Fiber] method to it instead (Fiber.Run(Method))",
            IAnonymousFunctionOperation => "this lambda is not a fiber body; move the call into a [Fiber] method",
            ILocalFunctionOperation => "a local function is not rewritten; move the call into a [Fiber] method",
            _ => "mark the enclosing method [Fiber], or start a fiber with Fiber.Run(Method)",
        };
    }
}
