using System.Collections.Concurrent;
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
    private readonly ConcurrentDictionary<string, Registration> _registrations = new();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => inner.SupportedDiagnostics;

    /// <summary>Thread CPU time spent in the callbacks so far.</summary>
    public TimeSpan Cpu => TimeSpan.FromTicks(Interlocked.Read(ref _nanoseconds) / 100);

    /// <summary>Bytes the callbacks allocated so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Operation callbacks run so far.</summary>
    public long Callbacks => Interlocked.Read(ref _callbacks);

    /// <summary>The same figures for each operation action the analyzer registered, named by its operation kinds.</summary>
    public IEnumerable<(string Kinds, TimeSpan Cpu, long Bytes, long Callbacks)> Registrations =>
        _registrations.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, TimeSpan.FromTicks(Interlocked.Read(ref r.Value.Nanoseconds) / 100),
            Interlocked.Read(ref r.Value.Bytes), Interlocked.Read(ref r.Value.Callbacks)));

    /// <summary>The inner analyzer's type name.</summary>
    public string Name => inner.GetType().Name;

    /// <summary>Starts counting again from zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _nanoseconds, 0);
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _callbacks, 0);
        foreach (var registration in _registrations.Values)
        {
            Interlocked.Exchange(ref registration.Nanoseconds, 0);
            Interlocked.Exchange(ref registration.Bytes, 0);
            Interlocked.Exchange(ref registration.Callbacks, 0);
        }
    }

    public override void Initialize(AnalysisContext context) => inner.Initialize(new Context(context, this));

    private Action<T> Metered<T>(Action<T> action, ImmutableArray<OperationKind> kinds)
    {
        var registration = _registrations.GetOrAdd(string.Join("+", kinds), _ => new Registration());
        return argument =>
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var start = ThreadCpuNanoseconds();
            try
            {
                action(argument);
            }
            finally
            {
                var nanoseconds = ThreadCpuNanoseconds() - start;
                var allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
                Interlocked.Add(ref _nanoseconds, nanoseconds);
                Interlocked.Add(ref _bytes, allocated);
                Interlocked.Increment(ref _callbacks);
                Interlocked.Add(ref registration.Nanoseconds, nanoseconds);
                Interlocked.Add(ref registration.Bytes, allocated);
                Interlocked.Increment(ref registration.Callbacks);
            }
        };
    }

    /// <summary>One registered action's running totals.</summary>
    private sealed class Registration
    {
#pragma warning disable SA1401 // fields: updated with Interlocked
        public long Nanoseconds;
        public long Bytes;
        public long Callbacks;
#pragma warning restore SA1401
    }

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
            outer.RegisterOperationAction(meter.Metered(action, operationKinds), operationKinds);

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
            outer.RegisterOperationAction(meter.Metered(action, operationKinds), operationKinds);

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
