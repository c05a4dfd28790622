namespace Miou.Generators.Model;

/// <summary>
/// What the generator writes for one user source file: the twins of its [Fiber] methods, in source order, in one
/// generated file, and the diagnostics of its methods. One output per file, not per method: the driver's own cost of
/// an edit grows with the number of outputs it keeps (see docs/generator.md, "Cost").
/// </summary>
/// <param name="HintName">The generated file's name (empty when there is no twin, only diagnostics).</param>
/// <param name="Twins">The twins to write, in source order.</param>
/// <param name="Diagnostics">The diagnostics of the file's [Fiber] declarations.</param>
internal sealed record TwinFile(string HintName, EquatableArray<FiberMethodSpec> Twins, EquatableArray<DiagnosticInfo> Diagnostics);
