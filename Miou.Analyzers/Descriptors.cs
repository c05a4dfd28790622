using Microsoft.CodeAnalysis;

namespace Miou.Analyzers;

/// <summary>Every diagnostic Miou's analyzers report. Ids are stable: never renumber, never reuse.</summary>
public static class Descriptors
{
    /// <summary>
    /// Where the rule pages live: a path relative to the repository root (docs/diagnostics/MIOUxxxx.md), not a URL. Miou
    /// has no published address yet, and a made-up one would not resolve (docs/diagnostics/README.md, "Help links"). The
    /// one place to change when the documentation is published.
    /// </summary>
    public const string HelpLinkBase = "docs/diagnostics/";

    private const string Usage = "Miou.Usage";

    private static DiagnosticDescriptor Rule(string id, string title, string message, DiagnosticSeverity severity, string description) =>
        new(id, title, message, Usage, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");

    /// <summary>A child neither awaited nor cancelled on some path before its fiber returns (compile-time Still_has_children).</summary>
    public static readonly DiagnosticDescriptor MIOU0001_ChildNotAwaited = Rule(
        "MIOU0001",
        "Await or cancel every child before the fiber returns",
        "The child spawned here {0}: await it (Fiber.Await) or cancel it (Fiber.Cancel) before the fiber returns, or the run fails with StillHasChildrenException",
        DiagnosticSeverity.Warning,
        "A fiber that returns normally while one of its children is neither awaited nor cancelled stops the whole run with StillHasChildrenException.");

    /// <summary>An await or cancel of a promise that is certainly not the current task's child (compile-time Not_a_child).</summary>
    public static readonly DiagnosticDescriptor MIOU0002_NotAChild = Rule(
        "MIOU0002",
        "Only the parent may await or cancel a promise",
        "'{0}' is a child of the fiber that spawned it, not of this fiber body: {1} it in that fiber, or this throws NotAChildException",
        DiagnosticSeverity.Warning,
        "A promise may only be awaited or cancelled by the task that spawned it. A fiber body passed to Fiber.Async or Fiber.Call is a new task, so it cannot await its parent's or its siblings' promises.");

    /// <summary>A direct-style suspending call, or a call to a [Fiber] method, outside a fiber.</summary>
    public static readonly DiagnosticDescriptor MIOU0003_SuspendOutsideFiber = Rule(
        "MIOU0003",
        "Direct-style Miou calls only work inside a fiber",
        "'{0}' may suspend and only works in a [Fiber] method or in a fiber body: {1}",
        DiagnosticSeverity.Error,
        "Direct-style calls are rewritten by Miou's generator only inside [Fiber] methods and the lambdas they pass as fiber bodies. Anywhere else they throw NotInFiberException.");

    /// <summary>A catch inside a fiber that swallows CancelledException.</summary>
    public static readonly DiagnosticDescriptor MIOU0004_SwallowedCancellation = Rule(
        "MIOU0004",
        "Do not swallow CancelledException in a fiber",
        "This catch {0} CancelledException without rethrowing it: rethrow it ('throw;') or catch a narrower exception, so the fiber can be cancelled",
        DiagnosticSeverity.Warning,
        "Cancellation reaches a fiber as CancelledException thrown at its suspension point. A catch that swallows it lets the fiber run on as if nothing happened, and its value is discarded anyway.");

    /// <summary>A blocking call inside a fiber.</summary>
    public static readonly DiagnosticDescriptor MIOU0005_BlockingCall = Rule(
        "MIOU0005",
        "Do not block a fiber's domain",
        "{0} blocks the domain's thread and every fiber scheduled on it: {1}",
        DiagnosticSeverity.Warning,
        "Fibers of one domain share its thread. A blocking wait stops all of them, and can deadlock when the awaited work needs the same domain.");

    /// <summary>An owned resource neither disowned, released nor transferred on some path (compile-time Resource_leaked).</summary>
    public static readonly DiagnosticDescriptor MIOU0006_ResourceLeaked = Rule(
        "MIOU0006",
        "Release every owned resource before the fiber returns",
        "The resource '{0}' owned here is neither disowned, released nor transferred on some path before the fiber returns: call Ownership.Release, Ownership.Disown or Ownership.Transfer, or the run fails with ResourceLeakedException",
        DiagnosticSeverity.Warning,
        "A fiber that returns normally while it still owns a resource stops the whole run with ResourceLeakedException.");
}
