using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Miou.Analyzers.Tests.Infrastructure;
using Miou.Tests.Shared;

namespace Miou.Analyzers.Tests;

/// <summary>
/// Issue 5's benchmark: Miou's analyzers on a project of 1,000 [Fiber] methods, as a share of the whole compile
/// (generator, binding, analyzers, emit) through the same in-process pipeline as <see cref="EndToEndTests"/>. Analyzer
/// time is the compiler's own per-analyzer telemetry (what <c>-p:ReportAnalyzer=true</c> prints). Explicit: it prints
/// timings and asserts only that the project is clean and every analyzer ran (speed is not a test verdict).
/// Analyzer time is the sum of the time spent in their callbacks; the analysis pass
/// also builds the operation trees they look at, which the compiler does not need otherwise. Each run also prints the
/// process's CPU time and the bytes allocated by binding alone and by the analysis pass: on a loaded machine the bytes are
/// the one figure the load leaves untouched, so a before/after of the analyzers' own work compares them.
/// The same project is built for real, with <c>-p:ReportAnalyzer=true</c>, by benchmarks/analyzers/report-analyzer.sh.
/// Run: dotnet test tests/Miou.Analyzers.Tests --filter "FullyQualifiedName~AnalyzerCost" --logger "console;verbosity=detailed"
/// </summary>
[Explicit("benchmark: prints timings")]
public sealed class AnalyzerCost
{
    private const int Methods = 1000;

    /// <summary>The template and the benchmark project's 100 files of ten methods.</summary>
    private static (string Template, (string Path, string Text)[] Files) BenchFiles()
    {
        var template = System.IO.File.ReadAllText(RepositoryPaths.Combine("benchmarks", "analyzers", "method.template"));
        return (template, Enumerable.Range(0, Methods / 10).Select(i => ($"/src/F{i}.cs", File(template, i))).ToArray());
    }

    /// <summary>
    /// Ten [Fiber] methods that touch every rule's concern (a child, a resource, a catch, a finally) and a plain method
    /// each, from benchmarks/analyzers/method.template, which benchmarks/analyzers/report-analyzer.sh uses too.
    /// </summary>
    private static string File(string template, int index)
    {
        var text = new StringBuilder("using Miou;\nnamespace Bench;\npublic static partial class F" + index + "\n{\n");
        for (var i = 0; i < 10; i++)
        {
            text.Append(template.Replace("@N@", (index * 10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        return text.Append("}\n").ToString();
    }

    [Test]
    public void Analyzers_on_1000_fiber_methods_against_the_whole_compile()
    {
        var (template, files) = BenchFiles();
        Measure(Pipeline.Compile("Warm", ("/src/Warm.cs", File(template, 0))), print: false);  // JIT warm-up
        for (var run = 1; run <= 3; run++)
        {
            Measure(Pipeline.Compile("Bench", files), print: true);
        }
    }

    /// <summary>
    /// The same compile on one thread: the compilation built with <c>concurrentBuild: false</c> and analysed without
    /// concurrent analysis. The telemetry times each callback by the wall clock; in a concurrent compile on a 2-core
    /// machine a callback's time also holds the time it waits for a core behind the compiler's other threads (the load
    /// average reaches 6-10 during a build), so the telemetry overstates what the analyzers cost. On one thread nothing
    /// runs beside a callback: its telemetry is its own time, and the whole compile's time is everything's own time.
    /// </summary>
    [Test]
    public void Analyzers_on_1000_fiber_methods_against_the_whole_compile_on_one_thread()
    {
        var (template, files) = BenchFiles();
        static Compilation OneThread(CSharpCompilation compilation) => compilation.WithOptions(compilation.Options.WithConcurrentBuild(false));
        Measure(OneThread(Pipeline.Compile("Warm", ("/src/Warm.cs", File(template, 0)))), print: false, concurrent: false);  // JIT warm-up
        for (var run = 1; run <= 3; run++)
        {
            Measure(OneThread(Pipeline.Compile("Bench", files)), print: true, concurrent: false);
        }
    }

    /// <summary>
    /// Where MIOU0001's time goes: the same project's [Fiber] method bodies built into operation trees and control-flow
    /// graphs (the method's and its fiber lambdas', the graphs FiberGraphs asks for) by a plain loop, warm, one thread,
    /// next to the analyzers' telemetry in the same process. The graph is what the analyzers ask the driver for; what the
    /// telemetry shows beyond it is Miou's own code.
    /// </summary>
    [Test]
    public void Control_flow_graphs_of_1000_fiber_methods_against_the_analyzers()
    {
        var (template, files) = BenchFiles();
        Graphs(Pipeline.Generate(Pipeline.Compile("Warm", ("/src/Warm.cs", File(template, 0)))).Output, print: false, expected: 10);
        for (var run = 1; run <= 3; run++)
        {
            var (output, _, _) = Pipeline.Generate(Pipeline.Compile("Bench", files));
            output.GetDiagnostics();
            Graphs(output, print: true, expected: Methods);
            var analysis = Pipeline.WithAnalyzers(output, new List<Exception>()).GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
            foreach (var (analyzer, info) in analysis.AnalyzerTelemetryInfo.OrderByDescending(t => t.Value.ExecutionTime).Take(2))
            {
                TestContext.Out.WriteLine($"  telemetry {analyzer.GetType().Name,-30} {info.ExecutionTime.TotalMilliseconds,8:F1} ms");
            }
        }
    }

    /// <summary>
    /// The same split in CPU time, which load does not inflate as it does the telemetry's wall-clock: one analysis pass per
    /// analyzer set over the same compilation, alternated, each analyzer's callbacks metered in the CPU time of the thread
    /// running them and the bytes it allocates meanwhile (<see cref="CpuMeteredAnalyzer"/>), against a probe that asks the
    /// driver for the [Fiber] methods' graphs and does nothing else. The graph is built inside the first callback that
    /// asks for it, as in the compiler, so a set's figure includes it once. With <c>BASELINE_ANALYZERS</c> set to the path
    /// of another build's Miou.Analyzers.dll, its MIOU0001 + MIOU0006 run in the same rounds: a before/after under the same
    /// load. <c>ROUNDS</c> (5) measured rounds follow one that warms up.
    /// </summary>
    [Test]
    public void Cpu_of_MIOU0001_against_its_graphs()
    {
        var (_, files) = BenchFiles();
        var (output, _, _) = Pipeline.Generate(Pipeline.Compile("Bench", files));
        output.GetDiagnostics();
        var graphProbe = new GraphProbe();
        var probe = new CpuMeteredAnalyzer(graphProbe);
        static CpuMeteredAnalyzer Rule(IEnumerable<DiagnosticAnalyzer> analyzers, string name) => new(analyzers.Single(a => a.GetType().Name == name));
        var miou0001 = Rule(Pipeline.Analyzers, "ChildNotAwaitedAnalyzer");
        var miou0006 = Rule(Pipeline.Analyzers, "ResourceLeakedAnalyzer");
        var sets = new List<(string Name, CpuMeteredAnalyzer[] Analyzers)>
        {
            ("graphs only (probe)", [probe]),
            ("MIOU0001", [miou0001]),
            ("MIOU0006", [miou0006]),
            ("MIOU0001 + MIOU0006", [miou0001, miou0006]),
        };
        if (Environment.GetEnvironmentVariable("BASELINE_ANALYZERS") is { Length: > 0 } baselinePath)
        {
            var baseline = Pipeline.AnalyzersFrom(baselinePath);
            sets.Add(("baseline 0001 + 0006", [Rule(baseline, "ChildNotAwaitedAnalyzer"), Rule(baseline, "ResourceLeakedAnalyzer")]));
        }

        var cpu = sets.ToDictionary(s => s.Name, _ => new List<(double Microseconds, double Kilobytes)>());
        var rounds = Rounds();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, analyzers) in sets)
            {
                MeteredPass(output, name, analyzers);
                if (round > 0)
                {
                    // Round 0 warms up (JIT). Per [Fiber] method: what each callback costs the thread that runs it.
                    var microseconds = analyzers.Sum(a => a.Cpu.TotalMilliseconds) * 1000 / Methods;
                    var kilobytes = analyzers.Sum(a => (double)a.Bytes) / 1000 / Methods;
                    cpu[name].Add((microseconds, kilobytes));
                }
            }
        }

        Assert.That(graphProbe.FiberBodies, Is.EqualTo((rounds + 1) * Methods), "the graph probe built the graphs of every [Fiber] body in each round");
        foreach (var (name, values) in cpu)
        {
            TestContext.Out.WriteLine(
                $"  {name,-22} callback CPU per [Fiber] method {string.Join(" / ", values.Select(v => v.Microseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} µs, " +
                $"allocated {string.Join(" / ", values.Select(v => v.Kilobytes.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} kB");
        }

        TestContext.Out.WriteLine($"  load average {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>
    /// Every one of Miou's analyzers in one analysis pass, as a build runs them (they share the driver's operation trees
    /// and graphs: the first callback that asks for a graph builds it), each callback metered in thread CPU time and
    /// bytes (<see cref="CpuMeteredAnalyzer"/>), per analyzer and per registered action. With <c>BASELINE_ANALYZERS</c>
    /// set to another build's Miou.Analyzers.dll, its six analyzers run in the same rounds, alternated: a before/after
    /// under the same load. <c>ROUNDS</c> (5) measured rounds follow one that warms up. Per [Fiber] method.
    /// </summary>
    [Test]
    public void Cpu_of_each_analyzer()
    {
        var (_, files) = BenchFiles();
        var (output, _, _) = Pipeline.Generate(Pipeline.Compile("Bench", files));
        output.GetDiagnostics();
        static CpuMeteredAnalyzer[] Miou(IEnumerable<DiagnosticAnalyzer> analyzers) =>
            [.. analyzers.Where(a => a.GetType().Namespace == "Miou.Analyzers").OrderBy(a => a.SupportedDiagnostics[0].Id, StringComparer.Ordinal).Select(a => new CpuMeteredAnalyzer(a))];
        var sets = new List<(string Name, CpuMeteredAnalyzer[] Analyzers)> { ("this build", Miou(Pipeline.Analyzers)) };
        Assert.That(sets[0].Analyzers, Has.Length.EqualTo(6), "Miou's six analyzers");
        if (Environment.GetEnvironmentVariable("BASELINE_ANALYZERS") is { Length: > 0 } baselinePath)
        {
            sets.Insert(0, ("baseline", Miou(Pipeline.AnalyzersFrom(baselinePath))));
        }

        // Per set, per analyzer or registration ("MIOU0001", "MIOU0001 MethodBody"), the rounds' (µs, kB) per method.
        var figures = sets.ToDictionary(s => s.Name, _ => new SortedDictionary<string, List<(double Microseconds, double Kilobytes)>>(StringComparer.Ordinal));
        var rounds = Rounds();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, analyzers) in sets)
            {
                MeteredPass(output, name, analyzers);
                if (round == 0)
                {
                    continue; // warms up (JIT)
                }

                void Add(string key, TimeSpan cpu, long bytes)
                {
                    if (!figures[name].TryGetValue(key, out var values))
                    {
                        figures[name][key] = values = [];
                    }

                    values.Add((cpu.TotalMilliseconds * 1000 / Methods, bytes / 1000.0 / Methods));
                }

                Add("all six", TimeSpan.FromTicks(analyzers.Sum(a => a.Cpu.Ticks)), analyzers.Sum(a => a.Bytes));
                foreach (var analyzer in analyzers)
                {
                    var id = analyzer.SupportedDiagnostics[0].Id;
                    Add(id, analyzer.Cpu, analyzer.Bytes);
                    foreach (var (kinds, cpu, bytes, callbacks) in analyzer.Registrations)
                    {
                        Add($"{id} {kinds} ({callbacks} calls)", cpu, bytes);
                    }
                }
            }
        }

        static string Join(IEnumerable<double> values, string format) =>
            string.Join(" / ", values.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var (name, table) in figures)
        {
            TestContext.Out.WriteLine($"{name}: callback thread CPU (µs) and bytes allocated (kB) per [Fiber] method, each round");
            foreach (var (key, values) in table)
            {
                TestContext.Out.WriteLine($"  {key,-48} {Join(values.Select(v => v.Microseconds), "F1")} µs; {Join(values.Select(v => v.Kilobytes), "F2")} kB");
            }
        }

        TestContext.Out.WriteLine($"  load average {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>
    /// The <c>ROUNDS</c> setting (5): measured rounds after one that warms up.
    /// </summary>
    private static int Rounds() => int.TryParse(Environment.GetEnvironmentVariable("ROUNDS"), out var asked) ? asked : 5;

    /// <summary>One analysis pass of <paramref name="analyzers"/>, their meters reset first, on one thread; the project must be clean.</summary>
    private static void MeteredPass(Compilation output, string name, CpuMeteredAnalyzer[] analyzers)
    {
        foreach (var analyzer in analyzers)
        {
            analyzer.Reset();
        }

        var result = output.WithAnalyzers([.. analyzers], new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        Assert.That(result.GetAllDiagnostics(), Is.Empty, $"{name}: the benchmark project is clean");
    }

    /// <summary>Asks the driver for each [Fiber] method's graph and its lambdas' graphs, and does nothing else.</summary>
#pragma warning disable RS1001, RS1036, RS2008 // a probe handed to CompilationWithAnalyzers in this test, never shipped
    private sealed class GraphProbe : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("PROBE", "probe", "probe", "probe", DiagnosticSeverity.Hidden, true);

        private int _fiberBodies;

        /// <summary>How many [Fiber] bodies the probe built graphs for, over all its passes.</summary>
        public int FiberBodies => Volatile.Read(ref _fiberBodies);

        public override System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(Microsoft.CodeAnalysis.Diagnostics.AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(Microsoft.CodeAnalysis.Diagnostics.GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(operation =>
            {
                if (!operation.ContainingSymbol.GetAttributes().Any(a => a.AttributeClass?.Name == "FiberAttribute"))
                {
                    return;
                }

                Interlocked.Increment(ref _fiberBodies);
                var graph = operation.GetControlFlowGraph();
                foreach (var block in graph.Blocks)
                {
                    foreach (var root in block.Operations)
                    {
                        foreach (var lambda in root.DescendantsAndSelf().OfType<Microsoft.CodeAnalysis.FlowAnalysis.IFlowAnonymousFunctionOperation>())
                        {
                            graph.GetAnonymousFunctionControlFlowGraph(lambda);
                        }
                    }
                }
            }, OperationKind.MethodBody);
        }
    }
#pragma warning restore RS1001, RS1036, RS2008

    private static void Graphs(Compilation compilation, bool print, int expected)
    {
        var bodies = new List<IOperation>();
        var operations = Stopwatch.StartNew();
        foreach (var tree in compilation.SyntaxTrees.Where(t => t.FilePath.StartsWith("/src/", StringComparison.Ordinal)))
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            {
                if (method.AttributeLists.Count > 0 && model.GetOperation(method) is { } body)
                {
                    bodies.Add(body);
                }
            }
        }

        var operationTrees = operations.Elapsed;
        Assert.That(bodies, Has.Count.EqualTo(expected), "every [Fiber] body of the project has its operation tree");
        for (var pass = 1; pass <= 2; pass++)
        {
            var methodGraphs = TimeSpan.Zero;
            var lambdaGraphs = TimeSpan.Zero;
            var blocks = 0;
            var watch = new Stopwatch();
            foreach (var body in bodies)
            {
                watch.Restart();
                var graph = Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph.Create((Microsoft.CodeAnalysis.Operations.IMethodBodyOperation)body);
                methodGraphs += watch.Elapsed;
                blocks += graph.Blocks.Length;
                watch.Restart();
                foreach (var lambda in graph.Blocks.SelectMany(b => b.Operations).SelectMany(o => o.DescendantsAndSelf()).OfType<Microsoft.CodeAnalysis.FlowAnalysis.IFlowAnonymousFunctionOperation>())
                {
                    blocks += graph.GetAnonymousFunctionControlFlowGraph(lambda).Blocks.Length;
                }

                lambdaGraphs += watch.Elapsed;
            }

            if (print)
            {
                TestContext.Out.WriteLine(
                    $"{bodies.Count} [Fiber] bodies: operation trees {operationTrees.TotalMilliseconds:F0} ms; pass {pass}: ControlFlowGraph.Create {methodGraphs.TotalMilliseconds:F0} ms, " +
                    $"lambda graphs (with the walk finding them) {lambdaGraphs.TotalMilliseconds:F0} ms, {blocks} blocks; load {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
            }
        }
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static void Measure(Compilation input, bool print, bool concurrent = true)
    {
        var watch = Stopwatch.StartNew();
        var (output, generated, generatorDiagnostics) = Pipeline.Generate(input);
        var generate = watch.Elapsed;

        watch.Restart();
        var cpu = Cpu();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var compilerDiagnostics = output.GetDiagnostics();
        var bind = watch.Elapsed;
        var bindCpu = Cpu() - cpu;
        var bindBytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;

        watch.Restart();
        cpu = Cpu();
        bytes = GC.GetTotalAllocatedBytes(precise: true);
        var exceptions = new List<Exception>();
        var analysis = Pipeline.WithAnalyzers(output, exceptions, concurrent).GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        var analyse = watch.Elapsed;
        var analyseCpu = Cpu() - cpu;
        var analyseBytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;

        watch.Restart();
        var emitted = output.Emit(Stream.Null);
        var emit = watch.Elapsed;

        Assert.That(generatorDiagnostics, Is.Empty);
        Assert.That(exceptions, Is.Empty);
        var diagnostics = compilerDiagnostics.Concat(analysis.GetAllDiagnostics());
        Assert.That(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()), Is.Empty, "the benchmark project is clean");
        Assert.That(emitted.Success, Is.True);
        var telemetry = analysis.AnalyzerTelemetryInfo;
        Assert.That(Pipeline.Analyzers.Select(a => telemetry[a].OperationActionsCount), Has.All.Positive, "every analyzer registered its actions");
        if (!print)
        {
            return;
        }

        var analyzers = TimeSpan.FromTicks(telemetry.Values.Sum(t => t.ExecutionTime.Ticks));
        // The compile as csc runs it with analyzers: generate, then one pass that binds and analyses, then emit.
        var total = generate + analyse + emit;
        var overhead = analyse - bind;
        TestContext.Out.WriteLine(
            $"{Methods} [Fiber] methods ({generated.Length} generated files): analyzers {analyzers.TotalMilliseconds:F0} ms of a {total.TotalMilliseconds:F0} ms compile = {100 * analyzers / total:F1}%; " +
            $"generator {generate.TotalMilliseconds:F0} ms, binding alone {bind.TotalMilliseconds:F0} ms, binding + analysis pass {analyse.TotalMilliseconds:F0} ms " +
            $"(over binding alone: {overhead.TotalMilliseconds:F0} ms = {100 * overhead / total:F1}%), emit {emit.TotalMilliseconds:F0} ms; load average {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
        // What a loaded machine inflates less than wall-clock time: the process's CPU time, and the bytes allocated (which
        // load does not change at all). The analysis pass over binding alone is the analyzers' own cost plus the operation
        // trees and graphs built for them.
        TestContext.Out.WriteLine(
            $"  process CPU: binding alone {bindCpu.TotalMilliseconds:F0} ms, binding + analysis pass {analyseCpu.TotalMilliseconds:F0} ms " +
            $"(over binding alone: {(analyseCpu - bindCpu).TotalMilliseconds:F0} ms); allocated: binding alone {bindBytes / 1e6:F0} MB, " +
            $"binding + analysis pass {analyseBytes / 1e6:F0} MB (over binding alone: {(analyseBytes - bindBytes) / 1e6:F0} MB)");
        foreach (var (analyzer, info) in telemetry.OrderByDescending(t => t.Value.ExecutionTime))
        {
            TestContext.Out.WriteLine($"  {analyzer.GetType().Name,-36} {info.ExecutionTime.TotalMilliseconds,8:F1} ms");
        }
    }
}
