namespace Miou.Generators.Model;

/// <summary>One containing type of a [Fiber] method, outermost first: what the emitter re-opens as <c>partial</c>.</summary>
/// <param name="Keyword">class, struct, interface, record, record struct.</param>
/// <param name="Name">The name with its type-parameter list, e.g. <c>Box&lt;T&gt;</c>.</param>
/// <param name="IsStatic">Whether the declaration is static (a static class).</param>
internal sealed record TypeDeclarationSpec(string Keyword, string Name, bool IsStatic);

/// <summary>Everything the emitter needs to write the twin of one [Fiber] method, as plain values.</summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Usings">The using directives in scope in the user's file (file level), one per entry.</param>
/// <param name="NamespaceUsings">The using directives declared inside the enclosing namespace declarations.</param>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="Types">The containing types, outermost first.</param>
/// <param name="NullableEnabled">Whether nullable annotations are enabled at the method.</param>
/// <param name="Signature">The twin's declaration up to its body: modifiers, return type, name, type parameters, parameters, constraints.</param>
/// <param name="IsPublicApi">Whether the twin is visible outside the assembly (it then gets a doc comment).</param>
/// <param name="OriginalName">The user's method name, for the doc comment.</param>
/// <param name="Body">The rewritten body (block or <c>=&gt; expression;</c>), or empty for a bodiless (abstract or interface) twin.</param>
/// <param name="FilePath">The user's file, for <c>#line</c>.</param>
/// <param name="BodyLine">The 1-based line of the body's first token in the user's file.</param>
/// <param name="BodyColumn">The 0-based column of the body's first token.</param>
/// <param name="Key">The method's <see cref="Parsing.KnownSymbols.MethodKey"/>, matched by interceptors.</param>
/// <param name="EntryBridge">The declaration of the internal entry bridge used by interceptors, or empty when none is needed.</param>
internal sealed record FiberMethodSpec(
    string HintName,
    EquatableArray<string> Usings,
    EquatableArray<string> NamespaceUsings,
    string Namespace,
    EquatableArray<TypeDeclarationSpec> Types,
    bool NullableEnabled,
    string Signature,
    bool IsPublicApi,
    string OriginalName,
    string Body,
    string FilePath,
    int BodyLine,
    int BodyColumn,
    string Key,
    string EntryBridge);

/// <summary>The outcome of parsing one [Fiber] method: a spec to emit, or diagnostics (then no code), or both empty.</summary>
internal sealed record FiberMethodResult(FiberMethodSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
