using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0004: a <c>catch</c> inside a fiber that swallows <c>CancelledException</c>: it catches it (or everything),
/// with no filter or one that surely lets it in, and some path through it does not throw. Only reported when the <c>try</c> holds a suspension point, the only place
/// cancellation can arrive, and when nothing in the handler looks at <c>CancelledException</c> (a type test that
/// rethrows it is a common, correct pattern).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SwallowedCancellationAnalyzer : MiouAnalyzer
{
    /// <summary>The property telling the code fix whether the clause catches CancelledException itself.</summary>
    internal const string CatchesExactly = "CatchesExactly";

    /// <summary>Creates the analyzer.</summary>
    public SwallowedCancellationAnalyzer()
        : base(Descriptors.MIOU0004_SwallowedCancellation)
    {
    }

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext context, MiouSymbols symbols)
    {
        if (symbols.CancelledException is { } cancelled)
        {
            context.RegisterOperationAction(operation => Analyze(operation, symbols, cancelled), OperationKind.CatchClause);
        }
    }

    private static void Analyze(OperationAnalysisContext context, MiouSymbols symbols, INamedTypeSymbol cancelled)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if ((clause.Filter is not null && Admits(clause.Filter, clause, cancelled) != true) || clause.Parent is not ITryOperation @try || !Catches(clause, cancelled) ||
            !FiberContext.IsInFiber(clause, context.ContainingSymbol, symbols))
        {
            return;
        }

        foreach (var earlier in @try.Catches)
        {
            if (earlier == clause)
            {
                break;
            }

            if (earlier.Filter is null && Catches(earlier, cancelled))
            {
                return; // an earlier clause gets it first (and is checked on its own)
            }
        }

        if (!FiberContext.ContainsSuspension(@try.Body, symbols, null) || MentionsType(clause.Handler, cancelled) || !Swallows(clause))
        {
            return;
        }

        var exactly = SymbolEqualityComparer.Default.Equals(clause.ExceptionType, cancelled);
        var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(CatchesExactly, exactly ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.MIOU0004_SwallowedCancellation, HeaderLocation(clause), properties,
            exactly ? "handles" : "catches every exception, including"));
    }

    /// <summary>Whether the clause catches CancelledException: its type is that or a base of it (<c>catch</c> alone: object).</summary>
    private static bool Catches(ICatchClauseOperation clause, INamedTypeSymbol cancelled) => DerivesFrom(cancelled, clause.ExceptionType);

    /// <summary>
    /// What a filter answers for a CancelledException, when that is certain: a constant, type tests of the caught
    /// exception (<c>e is not OperationCanceledException</c> lets CancelledException through: it does not derive from
    /// it), and <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and patterns over those. Null when the filter may decide either way.
    /// </summary>
    private static bool? Admits(IOperation filter, ICatchClauseOperation clause, INamedTypeSymbol cancelled)
    {
        switch (filter)
        {
            case { ConstantValue: { HasValue: true, Value: bool constant } }:
                return constant;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return !Admits(not.Operand, clause, cancelled);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                return And(Admits(and.LeftOperand, clause, cancelled), Admits(and.RightOperand, clause, cancelled));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                return !And(!Admits(or.LeftOperand, clause, cancelled), !Admits(or.RightOperand, clause, cancelled));
            case IIsTypeOperation isType when IsCaught(isType.ValueOperand, clause):
                return DerivesFrom(cancelled, isType.TypeOperand) != isType.IsNegated;
            case IIsPatternOperation isPattern when IsCaught(isPattern.Value, clause):
                return Matches(isPattern.Pattern, cancelled);
            default:
                return null;
        }
    }

    /// <summary>Three-valued and: false wins over unknown.</summary>
    private static bool? And(bool? left, bool? right) => left == false || right == false ? false : left == true && right == true ? true : null;

    /// <summary>Whether a CancelledException matches <paramref name="pattern"/>, when that is certain.</summary>
    private static bool? Matches(IPatternOperation pattern, INamedTypeSymbol cancelled) => pattern switch
    {
        ITypePatternOperation type => DerivesFrom(cancelled, type.MatchedType),
        IDeclarationPatternOperation { MatchesNull: false } declaration => DerivesFrom(cancelled, declaration.MatchedType),
        INegatedPatternOperation negated => !Matches(negated.Pattern, cancelled),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } and => And(Matches(and.LeftPattern, cancelled), Matches(and.RightPattern, cancelled)),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or => !And(!Matches(or.LeftPattern, cancelled), !Matches(or.RightPattern, cancelled)),
        _ => null,
    };

    /// <summary>Whether <paramref name="value"/> reads the exception the clause declares.</summary>
    private static bool IsCaught(IOperation value, ICatchClauseOperation clause) =>
        value is ILocalReferenceOperation local && clause.ExceptionDeclarationOrExpression is IVariableDeclaratorOperation declarator &&
        SymbolEqualityComparer.Default.Equals(local.Local, declarator.Symbol);

    private static bool DerivesFrom(INamedTypeSymbol type, ITypeSymbol? @base)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, @base))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MentionsType(IOperation handler, INamedTypeSymbol type)
    {
        foreach (var operation in handler.Descendants())
        {
            var tested = operation switch
            {
                IIsTypeOperation isType => isType.TypeOperand,
                ITypePatternOperation pattern => pattern.MatchedType,
                IDeclarationPatternOperation declaration => declaration.MatchedType,
                IConversionOperation { IsTryCast: true } cast => cast.Type,
                _ => null,
            };
            if (SymbolEqualityComparer.Default.Equals(tested, type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Some path through the handler ends without throwing: it falls through, returns, breaks or jumps out.</summary>
    private static bool Swallows(ICatchClauseOperation clause)
    {
        if (clause.Handler.Syntax is not BlockSyntax block || clause.SemanticModel is not { } model)
        {
            return false;
        }

        var flow = model.AnalyzeControlFlow(block);
        if (!flow.Succeeded)
        {
            return false;
        }

        if (flow.ExitPoints.Length > 0)
        {
            return true;
        }

        return flow.EndPointIsReachable && !EndsInDoesNotReturn(clause.Handler);
    }

    /// <summary>A handler whose last statement calls a [DoesNotReturn] method (ExceptionDispatchInfo.Throw, a throw helper).</summary>
    private static bool EndsInDoesNotReturn(IBlockOperation handler)
    {
        if (handler.Operations.Length == 0 || handler.Operations[handler.Operations.Length - 1] is not IExpressionStatementOperation { Operation: IInvocationOperation call })
        {
            return false;
        }

        foreach (var attribute in call.TargetMethod.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>catch (Type name)</c>, or <c>catch</c> alone.</summary>
    private static Location HeaderLocation(ICatchClauseOperation clause)
    {
        var syntax = (CatchClauseSyntax)clause.Syntax;
        var end = syntax.Declaration?.Span.End ?? syntax.CatchKeyword.Span.End;
        return Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, end));
    }
}
