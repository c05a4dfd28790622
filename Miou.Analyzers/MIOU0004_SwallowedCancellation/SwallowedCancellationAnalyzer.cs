using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers;

/// <summary>
/// MIOU0004: a <c>catch</c> inside a fiber that swallows <c>CancelledException</c>: it catches it (or everything) and
/// some path through it does not throw. Only reported when the <c>try</c> holds a suspension point, the only place
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
        if (clause.Filter is not null || clause.Parent is not ITryOperation @try || !Catches(clause, cancelled) ||
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
    private static bool Catches(ICatchClauseOperation clause, INamedTypeSymbol cancelled)
    {
        for (ITypeSymbol? type = cancelled; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, clause.ExceptionType))
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
