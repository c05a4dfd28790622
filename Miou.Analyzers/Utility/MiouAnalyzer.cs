using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Miou.Analyzers;

/// <summary>
/// What every Miou analyzer does: concurrent, no generated code, nothing at all in a compilation that does not reference
/// Miou, and Miou's symbols resolved once per compilation before any operation is looked at.
/// </summary>
public abstract class MiouAnalyzer : DiagnosticAnalyzer
{
    private protected MiouAnalyzer(DiagnosticDescriptor descriptor) => SupportedDiagnostics = ImmutableArray.Create(descriptor);

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MiouSymbols.Create(start.Compilation) is { } symbols)
            {
                Register(start, symbols);
            }
        });
    }

    /// <summary>Registers the operation actions, given Miou's symbols in this compilation.</summary>
    private protected abstract void Register(CompilationStartAnalysisContext context, MiouSymbols symbols);
}
