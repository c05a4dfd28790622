namespace Miou.Generators.Model;

/// <summary>One containing type of a [Fiber] method, outermost first: what the emitter re-opens as <c>partial</c>.</summary>
/// <param name="Keyword">class, struct, interface, record, record struct.</param>
/// <param name="Name">The name with its type-parameter list, e.g. <c>Box&lt;T&gt;</c>.</param>
/// <param name="IsStatic">Whether the declaration is static (a static class).</param>
internal sealed record TypeDeclarationSpec(string Keyword, string Name, bool IsStatic);

/// <summary>Everything the emitter needs to write the twin of one [Fiber] method, as plain values.</summary>
/// <param name="Declaration">What comes from the declaration and its context: names, usings, containing types.</param>
/// <param name="Signature">The twin's declaration up to its body: modifiers, return type, name, type parameters, parameters, constraints.</param>
/// <param name="Body">The rewritten body (block or <c>=&gt; expression;</c>), or empty for a bodiless (abstract or interface) twin.</param>
/// <param name="FilePath">The user's file, for <c>#line</c>.</param>
/// <param name="BodyLine">The 1-based line of the body's first token in the user's file.</param>
/// <param name="BodyColumn">The 0-based column of the body's first token.</param>
/// <param name="Defines">
/// The user file's active <c>#define</c>/<c>#undef</c> lines before the method, one per line, when the body has
/// preprocessor directives (a generated file does not see the user's defines); empty otherwise.
/// </param>
internal sealed record FiberMethodSpec(
    DeclarationFacts Declaration,
    string Signature,
    string Body,
    string FilePath,
    int BodyLine,
    int BodyColumn,
    string Defines = "");

/// <summary>The outcome of parsing one [Fiber] method: a spec to emit, or diagnostics (then no code), or both empty.</summary>
internal sealed record FiberMethodResult(FiberMethodSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
