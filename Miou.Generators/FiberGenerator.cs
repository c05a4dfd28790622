using System.Linq;
using Microsoft.CodeAnalysis;
using Miou.Generators.Emitting;
using Miou.Generators.Model;
using Miou.Generators.Parsing;

namespace Miou.Generators;

/// <summary>
/// Turns each direct-style <c>[Fiber]</c> method into a resumable state machine: an <c>async Fiber&lt;T&gt;</c> twin named
/// <c>{Name}Async</c>, whose body is the user's with every suspending call awaited (the C# compiler does the lowering).
/// Routes <c>Fiber.Run(SomeFiberMethod, …)</c> to the twin with interceptors. Only value-equatable models travel
/// through the pipeline; every step is named so that tests can check it stays cached. The per-method work is split in
/// two: a cheap semantic step (which <c>ForAttributeWithMetadataName</c> reruns for every method on every compilation
/// change) and the analysis and rewrite, keyed by its value, which rerun only for the methods whose input changed. The
/// twins are written one generated file per user source file.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FiberGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps.</summary>
    public static class Steps
    {
        /// <summary>
        /// Each [Fiber] declaration checked and its facts collected (the semantic step: reruns on every compilation
        /// change, reports <c>Unchanged</c> for a method whose text, context and facts did not change).
        /// </summary>
        public const string FiberMethods = nameof(FiberMethods);

        /// <summary>Each [Fiber] method analysed and rewritten to a spec or diagnostics (cached unless its input changed).</summary>
        public const string Twins = nameof(Twins);

        /// <summary>
        /// The twins and diagnostics of each source file, grouped from the collected <see cref="Twins"/>: one generated
        /// file each, written again only for a file whose twins or diagnostics changed.
        /// </summary>
        public const string Files = nameof(Files);

        /// <summary>Each candidate Fiber.Run call.</summary>
        public const string RunCalls = nameof(RunCalls);

        /// <summary>The interceptable Fiber.Run calls, collected.</summary>
        public const string Interceptors = nameof(Interceptors);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownSymbols.FiberAttribute, static (_, _) => true, FiberMethodParser.Parse)
            .WithTrackingName(Steps.FiberMethods)
            .Select(TwinBuilder.Build)
            .WithTrackingName(Steps.Twins);

        // One output per source file, not per method: the driver's work on every edit grows with the outputs it keeps.
        var files = methods
            .Collect()
            .SelectMany(TwinEmitter.Group)
            .WithTrackingName(Steps.Files);
        context.RegisterSourceOutput(files, static (production, file) =>
        {
            foreach (var diagnostic in file.Diagnostics)
            {
                production.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (file.Twins.Count > 0)
            {
                production.AddSource(file.HintName, TwinEmitter.Emit(file));
            }
        });

        // A user's [DirectStyle] method whose counterpart is not a Miou awaitable (MIOUG021).
        var directStyle = context.SyntaxProvider
            .ForAttributeWithMetadataName("Miou.DirectStyleAttribute", static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax, DirectStyleChecker.Check);
        context.RegisterSourceOutput(directStyle, static (production, diagnostics) =>
        {
            foreach (var diagnostic in diagnostics)
            {
                production.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        var runCalls = context.SyntaxProvider
            .CreateSyntaxProvider(RunCallParser.IsCandidate, RunCallParser.Parse)
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(Steps.RunCalls);
        context.RegisterSourceOutput(runCalls, static (production, result) =>
        {
            if (result.Diagnostic is { } diagnostic)
            {
                production.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        // A method rejected with a diagnostic has no twin: its Fiber.Run calls are left alone (no error in generated code).
        var generated = methods
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!.Declaration.Key)
            .Collect();
        var interceptors = runCalls
            .Where(static result => result.Interceptor is not null)
            .Select(static (result, _) => result.Interceptor!)
            .Collect()
            .Combine(generated)
            .Select(static (pair, _) => pair.Left.Where(i => i.TargetKey.Length == 0 || pair.Right.Contains(i.TargetKey)).ToEquatableArray())
            .WithTrackingName(Steps.Interceptors);
        context.RegisterSourceOutput(interceptors, static (production, specs) =>
        {
            if (specs.Count > 0)
            {
                production.AddSource(InterceptorEmitter.HintName, InterceptorEmitter.Emit(specs));
            }
        });
    }
}
