using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0005: a blocking call inside a fiber — <c>Thread.Sleep</c>, <c>Task.Wait</c>/<c>.Result</c>/
/// <c>GetAwaiter().GetResult()</c>, <c>Monitor</c>/<c>lock</c> held across a suspension, <c>Mutex.WaitOne</c>,
/// <c>SemaphoreSlim.Wait</c> — with the fiber-aware replacement in the message, and in a fix where there is one.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : MiouAnalyzer
{
    /// <summary>The diagnostic property naming the fix: one of the <c>Fix*</c> values.</summary>
    internal const string FixKey = "Fix";

    /// <summary><c>Thread.Sleep(0)</c> → <c>Fiber.Yield()</c>.</summary>
    internal const string FixYield = "Yield";

    /// <summary><c>Thread.Sleep(x)</c> → <c>UnixIO.Sleep(…)</c> (Miou.Unix referenced).</summary>
    internal const string FixUnixSleep = "UnixSleep";

    /// <summary><c>Thread.Sleep(timeSpan)</c> → <c>UnixIO.Sleep(timeSpan)</c> (Miou.Unix referenced).</summary>
    internal const string FixUnixSleepTimeSpan = "UnixSleepTimeSpan";

    /// <summary><c>task.Wait()</c>, <c>task.Result</c>, <c>task.GetAwaiter().GetResult()</c> → <c>Fiber.AwaitTask(task)</c>.</summary>
    internal const string FixAwaitTask = "AwaitTask";

    /// <summary>Creates the analyzer.</summary>
    public BlockingCallAnalyzer()
        : base(Descriptors.MIOU0005_BlockingCall)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        var compilation = context.Compilation;
        var types = new BlockingTypes(
            compilation.GetTypeByMetadataName("System.Threading.Thread"),
            compilation.GetTypeByMetadataName("System.Threading.Tasks.Task"),
            compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1"),
            compilation.GetTypeByMetadataName("System.Threading.Monitor"),
            compilation.GetTypeByMetadataName("System.Threading.Mutex"),
            compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim"),
            compilation.GetTypeByMetadataName("Miou.Unix.UnixIO") is { } unix && !unix.GetMembers("Sleep").IsEmpty);
        context.RegisterOperationAction(operation => AnalyzeCall(operation, symbols, types), OperationKind.Invocation);
        context.RegisterOperationAction(operation => AnalyzeResult(operation, symbols, types), OperationKind.PropertyReference);
        context.RegisterOperationAction(operation => AnalyzeLock(operation, symbols), OperationKind.Lock);
    }

    private static void AnalyzeCall(OperationAnalysisContext context, MiouSymbols symbols, BlockingTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        string? fix = null;
        string replacement;
        string what;
        if (Is(type, types.Thread) && method.Name == "Sleep")
        {
            what = "Thread.Sleep";
            if (invocation.Arguments.Length == 1 && invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: 0 })
            {
                (fix, replacement) = (FixYield, "call Fiber.Yield() to let the other fibers run");
            }
            else if (types.HasUnixSleep)
            {
                var timeSpan = method.Parameters.Length == 1 && method.Parameters[0].Type.Name == "TimeSpan";
                (fix, replacement) = (timeSpan ? FixUnixSleepTimeSpan : FixUnixSleep, "call UnixIO.Sleep, which suspends only this fiber");
            }
            else
            {
                replacement = "sleep with Miou.Unix's UnixIO.Sleep, which suspends only this fiber, or call Fiber.Yield()";
            }
        }
        else if (IsTask(type, types) && method.Name == "Wait" && !method.IsStatic)
        {
            if (IsKnownComplete(invocation.Instance, invocation, symbols))
            {
                return;
            }

            what = "Task.Wait";
            (fix, replacement) = (invocation.Arguments.Length == 0 ? FixAwaitTask : null, "call Fiber.AwaitTask(task), which suspends only this fiber");
        }
        else if (Is(type, types.Task) && method.Name is "WaitAll" or "WaitAny")
        {
            what = "Task." + method.Name;
            replacement = $"call Fiber.AwaitTask(Task.{(method.Name == "WaitAll" ? "WhenAll" : "WhenAny")}(…)), which suspends only this fiber";
        }
        else if (method.Name == "GetResult" && invocation.Instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } task } &&
                 IsTask(task.Type?.OriginalDefinition, types))
        {
            if (IsKnownComplete(task, invocation, symbols))
            {
                return;
            }

            what = "GetAwaiter().GetResult()";
            (fix, replacement) = (FixAwaitTask, "call Fiber.AwaitTask(task), which suspends only this fiber");
        }
        else if (method.Name == "GetResult" &&
                 invocation.Instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } } &&
                 IsTask(configured.Type?.OriginalDefinition, types))
        {
            if (IsKnownComplete(configured, invocation, symbols))
            {
                return;
            }

            // The same blocking wait; no fix: AwaitTask takes the task, not the ConfigureAwait result.
            what = "ConfigureAwait(…).GetAwaiter().GetResult()";
            replacement = "call Fiber.AwaitTask(task), which suspends only this fiber";
        }
        else if (Is(type, types.Monitor) && method.Name is "Enter" or "TryEnter")
        {
            if (!SuspendsBeforeExit(invocation, symbols))
            {
                return; // held only across plain code: a short critical section, not a suspension
            }

            what = "Monitor." + method.Name + " held across a suspension";
            replacement = "use a FiberMutex (Lock/Unlock), which parks the fiber instead";
        }
        else if (method.Name == "WaitOne" && Is(invocation.Instance?.Type?.OriginalDefinition, types.Mutex))
        {
            what = "Mutex.WaitOne";
            replacement = "use a FiberMutex (Lock/Unlock), which parks the fiber instead";
        }
        else if (Is(type, types.SemaphoreSlim) && method.Name == "Wait")
        {
            what = "SemaphoreSlim.Wait";
            replacement = "use a FiberMutex, or a FiberCondition with a counter, which park the fiber instead";
        }
        else
        {
            return;
        }

        if (!FiberContext.IsInFiber(invocation, context.ContainingSymbol, symbols))
        {
            return;
        }

        var location = invocation.Syntax is InvocationExpressionSyntax syntax ? syntax.Expression.GetLocation() : invocation.Syntax.GetLocation();
        Report(context, location, what, replacement, CannotSuspendAt(invocation.Syntax) ? null : fix);
    }

    private static void AnalyzeResult(OperationAnalysisContext context, MiouSymbols symbols, BlockingTypes types)
    {
        var property = (IPropertyReferenceOperation)context.Operation;
        if (property.Property.Name != "Result" || !Is(property.Property.ContainingType?.OriginalDefinition, types.TaskOfT) ||
            IsKnownComplete(property.Instance, property, symbols) || !FiberContext.IsInFiber(property, context.ContainingSymbol, symbols))
        {
            return;
        }

        Report(context, property.Syntax.GetLocation(), "Task.Result", "call Fiber.AwaitTask(task), which suspends only this fiber",
            CannotSuspendAt(property.Syntax) ? null : FixAwaitTask);
    }

    /// <summary>
    /// Inside a <c>lock</c> body, an exception filter or a query, where the generator rejects a suspension (MIOUG008,
    /// MIOUG009, MIOUG012): every fix here suspends, so none is offered; the message still says what to use.
    /// </summary>
    private static bool CannotSuspendAt(SyntaxNode node)
    {
        for (SyntaxNode? child = node, parent = node.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case LockStatementSyntax @lock when child == @lock.Statement:
                case CatchFilterClauseSyntax or QueryExpressionSyntax:
                    return true;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    private static void AnalyzeLock(OperationAnalysisContext context, MiouSymbols symbols)
    {
        var @lock = (ILockOperation)context.Operation;
        if (!FiberContext.IsInFiber(@lock, context.ContainingSymbol, symbols) || !FiberContext.ContainsSuspension(@lock.Body, symbols, null))
        {
            return;
        }

        var syntax = (LockStatementSyntax)@lock.Syntax;
        var header = Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(syntax.LockKeyword.SpanStart, syntax.CloseParenToken.Span.End));
        Report(context, header, "A lock held across a suspension",
            "use a FiberMutex (m.Lock(); try { … } finally { m.Unlock(); }), which parks the fiber instead", null);
    }

    private static void Report(OperationAnalysisContext context, Location location, string what, string replacement, string? fix)
    {
        var properties = fix is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(FixKey, fix);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0005_BlockingCall, location, properties, what, replacement));
    }

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) => expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    private static bool IsTask(ITypeSymbol? type, BlockingTypes types) => Is(type, types.Task) || Is(type, types.TaskOfT);

    /// <summary>
    /// A task that cannot block: <c>Task.FromResult(…)</c>/<c>Task.CompletedTask</c>, a task the fiber already waited for
    /// with <c>Fiber.AwaitTask</c>, or one tested with <c>IsCompleted</c>/<c>IsCompletedSuccessfully</c> in an enclosing
    /// condition.
    /// </summary>
    private static bool IsKnownComplete(IOperation? task, IOperation use, MiouSymbols symbols)
    {
        task = task is null ? null : FiberContext.WalkDownConversions(task);
        switch (task)
        {
            case null:
                return false;
            case IInvocationOperation { TargetMethod.Name: "FromResult" or "FromException" or "FromCanceled" }:
            case IPropertyReferenceOperation { Property.Name: "CompletedTask" }:
                return true;
        }

        if (ReferencedSymbol(task) is not { } symbol)
        {
            return false;
        }

        var function = FiberContext.EnclosingFunction(use) ?? Root(use);
        foreach (var operation in function.Descendants())
        {
            if (operation.Syntax.SpanStart >= use.Syntax.SpanStart)
            {
                continue;
            }

            // Fiber.AwaitTask(task) earlier in the function.
            if (operation is IInvocationOperation { Arguments.Length: 1 } call && symbols.IsOnFiber(call.TargetMethod) && call.TargetMethod.Name == "AwaitTask" &&
                SymbolEqualityComparer.Default.Equals(ReferencedSymbol(FiberContext.WalkDownConversions(call.Arguments[0].Value)), symbol))
            {
                return true;
            }
        }

        // if (task.IsCompleted) … task.Result …
        for (var current = use.Parent; current is not null; current = current.Parent)
        {
            if (current is IConditionalOperation conditional && conditional.Condition.Syntax.SpanStart < use.Syntax.SpanStart)
            {
                foreach (var operation in conditional.Condition.DescendantsAndSelf())
                {
                    if (operation is IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully", Instance: { } instance } &&
                        SymbolEqualityComparer.Default.Equals(ReferencedSymbol(FiberContext.WalkDownConversions(instance)), symbol))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        _ => null,
    };

    private static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>A suspension after <paramref name="enter"/> and before the next <c>Monitor.Exit</c> of its function.</summary>
    private static bool SuspendsBeforeExit(IInvocationOperation enter, MiouSymbols symbols)
    {
        var function = FiberContext.EnclosingFunction(enter) ?? Root(enter);
        var start = enter.Syntax.Span.End;
        var end = int.MaxValue;
        foreach (var operation in function.Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod: { Name: "Exit", ContainingType.Name: "Monitor" } } exit && exit.Syntax.SpanStart > start)
            {
                end = System.Math.Min(end, exit.Syntax.SpanStart);
            }
        }

        return FiberContext.ContainsSuspension(function, symbols, new TextSpan(start, System.Math.Max(0, end - start)));
    }

    private sealed class BlockingTypes
    {
        public BlockingTypes(INamedTypeSymbol? thread, INamedTypeSymbol? task, INamedTypeSymbol? taskOfT, INamedTypeSymbol? monitor,
            INamedTypeSymbol? mutex, INamedTypeSymbol? semaphoreSlim, bool hasUnixSleep)
        {
            Thread = thread;
            Task = task;
            TaskOfT = taskOfT;
            Monitor = monitor;
            Mutex = mutex;
            SemaphoreSlim = semaphoreSlim;
            HasUnixSleep = hasUnixSleep;
        }

        public INamedTypeSymbol? Thread { get; }
        public INamedTypeSymbol? Task { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? Monitor { get; }
        public INamedTypeSymbol? Mutex { get; }
        public INamedTypeSymbol? SemaphoreSlim { get; }
        public bool HasUnixSleep { get; }
    }
}
