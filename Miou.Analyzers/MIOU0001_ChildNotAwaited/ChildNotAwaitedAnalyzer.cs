using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0001: a child neither awaited nor cancelled on some path before its fiber returns — the compile-time
/// <c>Still_has_children</c>. Flow analysis over the control-flow graph of each [Fiber] method and of each fiber body it
/// spawns; see docs/diagnostics/MIOU0001.md for what is deliberately not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChildNotAwaitedAnalyzer : MiouAnalyzer
{
    /// <summary>The diagnostic property saying why the child is reported (a <see cref="Violation"/> name).</summary>
    internal const string WhyKey = "Why";

    /// <summary>Creates the analyzer.</summary>
    public ChildNotAwaitedAnalyzer()
        : base(Descriptors.MIOU0001_ChildNotAwaited)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        // Once per compilation: the rules are stateless, and a method group converted per method body is an allocation each.
        var rules = new SpawnRules(symbols);
        Func<IInvocationOperation, bool> isSource = rules.IsValueSource;
        var proof = StructuredFlow.IsEnabled(context.Options) ? rules : null;
        context.RegisterOperationAction(operation => Analyze(operation, symbols, rules, isSource, proof), OperationKind.MethodBody);
    }

    private static void Analyze(OperationAnalysisContext context, MiouSymbols symbols, SpawnRules rules, Func<IInvocationOperation, bool> isSource,
        ObligationRules? proof)
    {
        foreach (var function in FiberGraphs.Of(context, symbols, isSource, proof))
        {
            var flow = new ObligationFlow(function.Graph, rules, function.IsNewTask, function.Scan.CapturedByNestedFunctions(),
                (state, source) =>
                {
                    // Run inline, a child held by a variable of the caller's (a captured one) may still be awaited there.
                    foreach (var holder in state.HoldersOf(source))
                    {
                        if (holder is ISymbol symbol && !function.IsOwnVariable(symbol))
                        {
                            return false;
                        }
                    }

                    return true;
                });
            foreach (var (source, why) in flow.Run())
            {
                var properties = ImmutableDictionary<string, string?>.Empty.Add(WhyKey, why.ToString());
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0001_ChildNotAwaited, SpawnLocation(source), properties, Explain(why)));
            }
        }
    }

    /// <summary>Where the proof on the operation tree (<see cref="StructuredFlow"/>) gives up on <paramref name="body"/> for this rule; null when it proves it (tests ask).</summary>
    internal static IOperation? ProofBlocker(IMethodBodyOperation body, MiouSymbols symbols)
    {
        var rules = new SpawnRules(symbols);
        return StructuredFlow.Blocker(body, rules, rules.IsValueSource);
    }

    /// <summary>The span reported: the spawn's method name, e.g. <c>Fiber.Async</c>.</summary>
    internal static Location SpawnLocation(IOperation source) =>
        source.Syntax is InvocationExpressionSyntax invocation ? invocation.Expression.GetLocation() : source.Syntax.GetLocation();

    private static string Explain(Violation why) => why switch
    {
        Violation.Discarded => "is discarded",
        Violation.Overwritten => "is lost when the only variable holding its promise is overwritten",
        Violation.Returned => "is returned to the parent while it is still this task's child (the parent cannot await it)",
        _ => "is neither awaited nor cancelled on some path",
    };

    /// <summary>What MIOU0001 tracks: the promise of a spawn without orphans, discharged by an await or a cancel.</summary>
    private sealed class SpawnRules : ObligationRules
    {
        private readonly MiouSymbols _symbols;

        public SpawnRules(MiouSymbols symbols) => _symbols = symbols;

        public override bool ReportsLostReferences => true;

        public override bool IsValueSource(IInvocationOperation invocation)
        {
            if (!_symbols.IsSpawn(invocation.TargetMethod))
            {
                return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                // Spawned into an orphans collection: the collection takes care of it (Orphans.Care/Take/Get).
                if (argument.Parameter?.Name == "orphans" && argument.ArgumentKind != ArgumentKind.DefaultValue &&
                    !(FiberContext.WalkDownConversions(argument.Value).ConstantValue is { HasValue: true, Value: null }))
                {
                    return false;
                }
            }

            return true;
        }

        public override ValueUse ArgumentUse(IInvocationOperation invocation, IArgumentOperation argument) =>
            _symbols.PromiseUseOf(invocation.TargetMethod, PromiseCount(argument)) switch
            {
                PromiseUse.Consumes => ValueUse.Consume,
                PromiseUse.ConsumesOneOf => ValueUse.Neutral,
                _ => ValueUse.Escape,
            };

        private static int PromiseCount(IArgumentOperation argument) => FiberContext.WalkDownConversions(argument.Value) switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues.Length,
            ICollectionExpressionOperation collection => collection.Elements.Length,
            _ => 2,
        };
    }
}
