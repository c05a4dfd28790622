namespace Miou.Generators.Model;

/// <summary>
/// One <c>Fiber.Run(SomeFiberMethod, …)</c> call routed to the generated twin.
/// </summary>
/// <param name="LocationVersion">The interceptable location's version.</param>
/// <param name="LocationData">The interceptable location's opaque data.</param>
/// <param name="DisplayLocation">Where the call is, for a comment in the generated code.</param>
/// <param name="ReturnType">The intercepted overload's return type, fully qualified (<c>void</c> included).</param>
/// <param name="Parameters">The intercepted overload's parameters (<c>type name</c>), the delegate first.</param>
/// <param name="Target">The expression that starts the twin, written in terms of the parameters, e.g. <c>global::N.C.MainAsync(arg)</c>.</param>
/// <param name="OptionsArgument">The name of the RunOptions parameter, or empty.</param>
/// <param name="TargetKey">The [Fiber] method's <see cref="Parsing.KnownSymbols.MethodKey"/> when it is in this compilation (its
/// twin must then have been generated), or empty for a method from a referenced assembly.</param>
internal sealed record InterceptorSpec(
    int LocationVersion,
    string LocationData,
    string DisplayLocation,
    string ReturnType,
    EquatableArray<string> Parameters,
    string Target,
    string OptionsArgument,
    string TargetKey);

/// <summary>The outcome of looking at one candidate <c>Fiber.Run</c> call.</summary>
internal sealed record RunCallResult(InterceptorSpec? Interceptor, DiagnosticInfo? Diagnostic);
