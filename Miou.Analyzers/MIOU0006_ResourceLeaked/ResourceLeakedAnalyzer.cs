using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0006: a resource the fiber owns (<c>Ownership.Own</c>) that is neither disowned, released nor transferred on some
/// path to a normal return — the compile-time <c>Resource_leaked</c>. The same flow analysis as MIOU0001; a resource
/// handed anywhere the analysis does not follow (another method, a collection, <c>give:</c>) counts as taken care of.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ResourceLeakedAnalyzer : MiouAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public ResourceLeakedAnalyzer()
        : base(Descriptors.MIOU0006_ResourceLeaked)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        // Once per compilation: a lambda capturing the symbols, made per method body, is an allocation each.
        var isSource = IsOwn(symbols);
        var proof = StructuredFlow.IsEnabled(context.Options) ? ProofRules(symbols) : null;
        context.RegisterOperationAction(operation => Analyze(operation, symbols, isSource, proof), OperationKind.MethodBody);
    }

    /// <summary>The calls that start an obligation of this rule: <c>Ownership.Own</c>.</summary>
    private static Func<IInvocationOperation, bool> IsOwn(MiouSymbols symbols) =>
        invocation => symbols.IsOwnership(invocation.TargetMethod, "Own");

    private static void Analyze(OperationAnalysisContext context, MiouSymbols symbols, Func<IInvocationOperation, bool> isSource, ObligationRules? proof)
    {
        foreach (var function in FiberGraphs.Of(context, symbols, isSource, proof))
        {
            var fresh = FreshResources(function, symbols, out var aliases);
            var rules = new OwnershipRules(symbols, aliases);
            var flow = new ObligationFlow(function.Graph, rules, function.IsNewTask, function.Scan.CapturedByNestedFunctions(),
                (state, source) =>
                {
                    // Run inline in its caller's task, the fiber leaks for sure only what nobody else can reach: a resource
                    // it created itself, held in its own locals.
                    foreach (var holder in state.HoldersOf(source))
                    {
                        if (holder is not ILocalSymbol local || !fresh.Contains(local))
                        {
                            return false;
                        }
                    }

                    return true;
                });
            foreach (var (source, _) in flow.Run())
            {
                var call = (IInvocationOperation)source;
                var location = call.Syntax is InvocationExpressionSyntax syntax ? syntax.Expression.GetLocation() : call.Syntax.GetLocation();
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0006_ResourceLeaked, location, call.Arguments[0].Value.Syntax.ToString()));
            }
        }
    }

    /// <summary>Where the proof on the operation tree (<see cref="StructuredFlow"/>) gives up on <paramref name="body"/> for this rule; null when it proves it (tests ask).</summary>
    internal static IOperation? ProofBlocker(IMethodBodyOperation body, MiouSymbols symbols) =>
        StructuredFlow.Blocker(body, ProofRules(symbols), IsOwn(symbols));

    /// <summary>The proof's rules: it follows no alias (a holder copied or written fails it), so they have none.</summary>
    private static ObligationRules ProofRules(MiouSymbols symbols) =>
        new OwnershipRules(symbols, new Dictionary<ISymbol, List<ISymbol>>(SymbolEqualityComparer.Default));

    /// <summary>Locals of the function that only ever hold a resource it creates itself (<c>Ownership.Create</c>).</summary>
    private static HashSet<ILocalSymbol> FreshResources(FiberFunction function, MiouSymbols symbols, out Dictionary<ISymbol, List<ISymbol>> aliases)
    {
        aliases = new Dictionary<ISymbol, List<ISymbol>>(SymbolEqualityComparer.Default);
        var created = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        var other = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        var scan = function.Scan;
        foreach (var assignment in scan.LocalAssignments)
        {
            var target = ((ILocalReferenceOperation)assignment.Target).Local;
            var isCreate = FiberContext.WalkDownConversions(assignment.Value) is IInvocationOperation invocation &&
                symbols.IsOwnership(invocation.TargetMethod, "Create");
            (isCreate ? created : other).Add(target);
            if (OwnershipRules.Variable(assignment.Value) is { } source)
            {
                Link(aliases, source, target);
                Link(aliases, target, source);
            }
        }

        other.UnionWith(scan.RefWrittenLocals);
        created.ExceptWith(other);
        created.RemoveWhere(local => !function.IsOwnVariable(local));
        return created;
    }

    private static void Link(Dictionary<ISymbol, List<ISymbol>> aliases, ISymbol from, ISymbol to)
    {
        if (!aliases.TryGetValue(from, out var list))
        {
            aliases[from] = list = new List<ISymbol>();
        }

        list.Add(to);
    }

    /// <summary>What MIOU0006 tracks: the resource given to Ownership.Own, discharged by Disown, Release or Transfer.</summary>
    private sealed class OwnershipRules : ObligationRules
    {
        /// <summary>The Ownership calls that settle a resource, and those that only look at it (asked of every call passed one).</summary>
        private static readonly string[] Settles = ["Disown", "Release", "Transfer"];
        private static readonly string[] Reads = ["Own", "Check"];

        private readonly MiouSymbols _symbols;
        private readonly Dictionary<ISymbol, List<ISymbol>> _aliases;

        public OwnershipRules(MiouSymbols symbols, Dictionary<ISymbol, List<ISymbol>> aliases)
        {
            _symbols = symbols;
            _aliases = aliases;
        }

        /// <summary>The local or parameter an operation reads, if any.</summary>
        public static ISymbol? Variable(IOperation operation) => FiberContext.WalkDownConversions(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };

        /// <summary>Variables copied to or from the owned one anywhere in the function (one step, both ways).</summary>
        public override IEnumerable<object> AliasesOf(object holder) =>
            holder is ISymbol symbol && _aliases.TryGetValue(symbol, out var list) ? list : (IEnumerable<object>)System.Array.Empty<object>();

        public override bool ReportsLostReferences => false;

        public override IOperation? ArgumentSource(IInvocationOperation invocation) =>
            _symbols.IsOwnership(invocation.TargetMethod, "Own") && invocation.Arguments.Length == 1 ? invocation.Arguments[0].Value : null;

        public override ValueUse ArgumentUse(IInvocationOperation invocation, IArgumentOperation argument)
        {
            if (_symbols.IsOwnership(invocation.TargetMethod, Settles))
            {
                return ValueUse.Consume;
            }

            return _symbols.IsOwnership(invocation.TargetMethod, Reads) ? ValueUse.Neutral : ValueUse.Escape;
        }
    }
}
