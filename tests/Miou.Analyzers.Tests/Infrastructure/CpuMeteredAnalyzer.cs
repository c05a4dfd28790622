using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>
/// An analyzer run by the real driver with each of its operation callbacks metered in the CPU time of the thread that
/// runs it and the bytes that thread allocates meanwhile: what the driver's telemetry (wall-clock) says, without the time
/// the thread spends preempted on a loaded machine. Whatever the driver does lazily inside a callback (the control-flow
/// graph a callback asks for) is counted, as the telemetry counts it. Forwards only what Miou's analyzers register
/// (compilation start, operation actions); anything else fails loudly rather than go unmetered.
/// </summary>
#pragma warning disable RS1001, RS1012, RS1025, RS1026 // a wrapper handed to CompilationWithAnalyzers in the cost probes, never shipped
internal sealed class CpuMeteredAnalyzer(DiagnosticAnalyzer inner) : DiagnosticAnalyzer
{
    private long _nanoseconds;
    private long _bytes;
    private long _callbacks;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => inner.SupportedDiagnostics;

    /// <summary>Thread CPU time spent in the callbacks so far.</summary>
    public TimeSpan Cpu => TimeSpan.FromTicks(Interlocked.Read(ref _nanoseconds) / 100);

    /// <summary>Bytes the callbacks allocated so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Operation callbacks run so far.</summary>
    public long Callbacks => Interlocked.Read(ref _callbacks);

    /// <summary>Starts counting again from zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _nanoseconds, 0);
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _callbacks, 0);
    }

    public override void Initialize(AnalysisContext context) => inner.Initialize(new Context(context, this));

    private Action<T> Metered<T>(Action<T> action) => argument =>
    {
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var start = ThreadCpuNanoseconds();
        try
        {
            action(argument);
        }
        finally
        {
            Interlocked.Add(ref _nanoseconds, ThreadCpuNanoseconds() - start);
            Interlocked.Add(ref _bytes, GC.GetAllocatedBytesForCurrentThread() - bytes);
            Interlocked.Increment(ref _callbacks);
        }
    };

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3; // Linux's CLOCK_THREAD_CPUTIME_ID
        if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: this probe needs Linux");
        }

        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // the C function's own name
    private static extern int clock_gettime(int clock, out TimeSpec time);
#pragma warning restore SA1300, IDE1006

    private sealed class Context(AnalysisContext outer, CpuMeteredAnalyzer meter) : AnalysisContext
    {
        public override void EnableConcurrentExecution() => outer.EnableConcurrentExecution();

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => outer.ConfigureGeneratedCodeAnalysis(analysisMode);

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
            outer.RegisterCompilationStartAction(start => action(new StartContext(start, meter)));

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
            outer.RegisterOperationAction(meter.Metered(action), operationKinds);

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => throw Unmetered();

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => throw Unmetered();

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => throw Unmetered();

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw Unmetered();

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => throw Unmetered();

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => throw Unmetered();

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => throw Unmetered();
    }

    private sealed class StartContext(CompilationStartAnalysisContext outer, CpuMeteredAnalyzer meter)
        : CompilationStartAnalysisContext(outer.Compilation, outer.Options, outer.CancellationToken)
    {
        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
            outer.RegisterOperationAction(meter.Metered(action), operationKinds);

        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => throw Unmetered();

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => throw Unmetered();

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => throw Unmetered();

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw Unmetered();

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => throw Unmetered();

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => throw Unmetered();

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => throw Unmetered();
    }

    private static NotSupportedException Unmetered() => new("CpuMeteredAnalyzer meters operation actions only: what Miou's analyzers register");
}
#pragma warning restore RS1001, RS1012, RS1025, RS1026
