namespace Miou.Generators.Model;

/// <summary>
/// What the cheap semantic step learns about one [Fiber] declaration: either a finished result (diagnostics only, or a
/// method the step had to rewrite itself), or the method's source text with the facts that only the semantic model
/// knows. It reruns on every compilation change, so it stays cheap; the rewrite, keyed by this value, stays cached.
/// </summary>
/// <param name="Done">The result when nothing is left to do downstream.</param>
/// <param name="Method">The method to rewrite downstream, when <paramref name="Done"/> is null.</param>
internal sealed record FiberMethodInput(FiberMethodResult? Done, FiberMethodSource? Method);

/// <summary>One [Fiber] method as text plus the semantic facts its rewrite needs: equal values give equal twins.</summary>
/// <param name="Text">The declaration's text, from its first attribute to its last token (reparsed downstream).</param>
/// <param name="LanguageVersion">The file's language version, to reparse the text as the compiler parsed it.</param>
/// <param name="Position">Where the text is in the user's file.</param>
/// <param name="Declaration">The spec's parts that come from the declaration and its context.</param>
/// <param name="Facts">What the calls and names of the body resolve to.</param>
/// <param name="Diagnostics">Declaration errors (then no twin is generated, but the body is still checked).</param>
internal sealed record FiberMethodSource(
    string Text,
    int LanguageVersion,
    SourcePosition Position,
    DeclarationFacts Declaration,
    BodyFacts Facts,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Where a text starts in its file: offset, 0-based line and column, and the 1-based line and column of the body.</summary>
internal sealed record SourcePosition(string FilePath, int Start, int Line, int Column, int BodyLine, int BodyColumn);

/// <summary>The parts of <see cref="FiberMethodSpec"/> that need the symbol or the rest of the file.</summary>
/// <param name="Usings">The using directives in scope in the user's file (file level), one per entry.</param>
/// <param name="NamespaceUsings">The using directives declared inside the enclosing namespace declarations.</param>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="Types">The containing types, outermost first.</param>
/// <param name="NullableEnabled">Whether nullable annotations are enabled at the method.</param>
/// <param name="TwinReturnType">The twin's return type: <c>global::Miou.Fiber</c> or <c>global::Miou.Fiber&lt;T&gt;</c>.</param>
/// <param name="IsPublicApi">Whether the twin is visible outside the assembly (it then gets a doc comment).</param>
/// <param name="Name">The user's method name (for messages and the doc comment).</param>
/// <param name="Key">The method's <see cref="Parsing.KnownSymbols.MethodKey"/>, matched by interceptors.</param>
/// <param name="EntryBridge">The declaration of the internal entry bridge used by interceptors, or empty when none is needed.</param>
internal sealed record DeclarationFacts(
    EquatableArray<string> Usings,
    EquatableArray<string> NamespaceUsings,
    string Namespace,
    EquatableArray<TypeDeclarationSpec> Types,
    bool NullableEnabled,
    string TwinReturnType,
    bool IsPublicApi,
    string Name,
    string Key,
    string EntryBridge);

/// <summary>
/// The semantic answers the body analysis needs, keyed by spans relative to the declaration's start. A call or name
/// without an entry is ordinary: nothing it can denote is a [Fiber] method, a [DirectStyle] method or a local function.
/// </summary>
internal sealed record BodyFacts(
    EquatableArray<CallFact> Calls,
    EquatableArray<NameFact> Names,
    EquatableArray<LocalFunctionFact> LocalFunctions,
    EquatableArray<ConditionalFact> Conditionals);

/// <summary>What an invocation calls, when it matters.</summary>
/// <param name="Start">The invocation's start, relative to the declaration.</param>
/// <param name="Length">The invocation's length.</param>
/// <param name="Kind">A local function, a [Fiber] method or a [DirectStyle] method.</param>
/// <param name="NewName">The twin's or awaitable's name (empty for a local function).</param>
/// <param name="Suspends">Whether the call suspends ([DirectStyle] Suspends; always for a [Fiber] method).</param>
/// <param name="DisplayName">Type.Method, for messages.</param>
/// <param name="FiberBodyArguments">For a [DirectStyle] method, per argument: whether it goes to a [FiberBody] parameter.</param>
/// <param name="LocalStart">For a local function, its declaration's relative start.</param>
/// <param name="ExtensionType">
/// For an extension method called in reduced form (<c>x.M(…)</c>) whose twin or awaitable is an extension method of the
/// same type: that type, fully qualified, so that the call is emitted in static form (an instance member of the
/// receiver named like the twin would otherwise win). Empty otherwise.
/// </param>
/// <param name="IsLambdaResult">
/// The call is the whole body of a lambda (<c>() =&gt; M(a)</c>, <c>{ return M(a); }</c>, <c>{ M(a); }</c>) whose return
/// type is the call's type (both void, or the same type): as a fiber body, the lambda can return the twin's fiber as is.
/// </param>
internal sealed record CallFact(int Start, int Length, CallKind Kind, string NewName, bool Suspends, string DisplayName, EquatableArray<bool> FiberBodyArguments, int LocalStart, string ExtensionType = "", bool IsLambdaResult = false);

internal enum CallKind
{
    LocalFunction,
    Fiber,
    DirectStyle,
}

/// <summary>What a name that is not called denotes, when it can be a [Fiber] method or a local function.</summary>
/// <param name="Start">The name's start, relative to the declaration.</param>
/// <param name="Length">The name's length.</param>
/// <param name="IsFiberMethod">A [Fiber] method (not a local function).</param>
/// <param name="Name">The method's name.</param>
/// <param name="LocalStart">For a local function, its declaration's relative start; otherwise -1.</param>
/// <param name="IsRunMain">Whether the name is the <c>main</c> argument of a <c>Miou.Fiber.Run</c> call.</param>
/// <param name="Counterpart">
/// For a [DirectStyle] method whose awaitable counterpart returns a Fiber or Fiber&lt;T&gt; with the same parameters: the
/// counterpart's name (as a fiber body, the group becomes the counterpart's). Empty otherwise.
/// </param>
internal sealed record NameFact(int Start, int Length, bool IsFiberMethod, string Name, int LocalStart, bool IsRunMain, string Counterpart = "");

/// <summary>A local function of the body: whether it is marked [Fiber], and its twin return type if it becomes a fiber.</summary>
internal sealed record LocalFunctionFact(int Start, bool HasFiberAttribute, string TwinReturnType);

/// <summary>The result type of <c>x?.M(…)</c> (null for void), for the rewrite of a suspending call in it.</summary>
internal sealed record ConditionalFact(int Start, int Length, string? Type);
