using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Miou.Generators.Diagnostics;

/// <summary>
/// One diagnostic per construct the generator cannot make resumable. Each message says what to write instead; each id
/// has a page under docs/diagnostics/. A method with an error gets no generated code.
/// </summary>
internal static class Descriptors
{
    private const string Category = "Miou.Generator";
    private const string HelpRoot = "docs/diagnostics/";

    public static readonly DiagnosticDescriptor NotPartial = Error("MIOUG001",
        "[Fiber] method in a type that is not partial",
        "'{0}' is in type '{1}', which is not partial: the generator adds the method's fiber twin to its type. Declare '{1}' (and every type containing it) 'partial'.");

    public static readonly DiagnosticDescriptor RefParameter = Error("MIOUG002",
        "[Fiber] method with a ref, out or in parameter or a ref return",
        "'{0}': {1} cannot live across a suspension. Pass the value and return the result instead (use a tuple for several results), or keep a mutable object (a class) and pass that.");

    public static readonly DiagnosticDescriptor RefStruct = Error("MIOUG003",
        "[Fiber] method with a ref struct parameter or return",
        "'{0}': {1} is a ref struct ('{2}'), which cannot be stored in a resumable state machine. Use an array, Memory<T> or ReadOnlyMemory<T> instead.");

    public static readonly DiagnosticDescriptor Pointer = Error("MIOUG004",
        "[Fiber] method with a pointer parameter or return",
        "'{0}': {1} is a pointer ('{2}'), which cannot be kept across a suspension. Pass an array, a Memory<T> or an index instead.");

    public static readonly DiagnosticDescriptor Iterator = Error("MIOUG005",
        "[Fiber] method is an iterator",
        "'{0}' uses 'yield': a [Fiber] method cannot be an iterator. Build and return a list, or give the values to a consumer through a FiberMutex/FiberCondition pair.");

    public static readonly DiagnosticDescriptor AsyncMethod = Error("MIOUG006",
        "[Fiber] method is async",
        "'{0}' is 'async': [Fiber] methods are written in direct style. Remove 'async' and call the direct-style operations (Fiber.Await, not AwaitAsync), or drop [Fiber] and write an 'async Fiber<T>' method by hand.");

    public static readonly DiagnosticDescriptor StructInstance = Error("MIOUG007",
        "[Fiber] instance method of a struct",
        "'{0}' is an instance method of struct '{1}': the state machine would work on a copy of 'this'. Make the method static and pass the struct as a parameter, or make '{1}' a class.");

    public static readonly DiagnosticDescriptor SuspensionInLock = Error("MIOUG008",
        "Suspension inside a lock statement",
        "'{0}' may suspend the fiber inside 'lock': the monitor would be held across the suspension (and released on another thread). Use a FiberMutex (mutex.Lock(); try {{ … }} finally {{ mutex.Unlock(); }}) or move the call out of the lock.");

    public static readonly DiagnosticDescriptor SuspensionInFilter = Error("MIOUG009",
        "Suspension inside an exception filter",
        "'{0}' may suspend the fiber inside a 'when' exception filter, which runs before the stack unwinds and cannot suspend. Catch the exception, then make the call in the catch block (rethrow with 'throw;' if it does not apply).");

    public static readonly DiagnosticDescriptor Unsafe = Error("MIOUG010",
        "unsafe code in a [Fiber] method",
        "'{0}' contains unsafe code: pointers cannot be kept across a suspension. Move the unsafe code into an ordinary (non-[Fiber]) helper method and call it.");

    public static readonly DiagnosticDescriptor Fixed = Error("MIOUG011",
        "fixed statement in a [Fiber] method",
        "'{0}' contains a 'fixed' statement: a pinned pointer cannot be kept across a suspension. Move the 'fixed' block into an ordinary (non-[Fiber]) helper method and call it.");

    public static readonly DiagnosticDescriptor SuspensionInQuery = Error("MIOUG012",
        "Suspension inside a query expression",
        "'{0}' may suspend the fiber inside a query expression, whose clauses are ordinary lambdas. Write the query as a loop (foreach) in the [Fiber] method.");

    public static readonly DiagnosticDescriptor SuspensionInLambda = Error("MIOUG013",
        "Suspension inside a lambda that is not a fiber body",
        "'{0}' may suspend the fiber inside a lambda or anonymous method that is not a fiber body: it would run as an ordinary delegate. Pass the lambda to a fiber-body parameter (Fiber.Async, Fiber.Call, …), use a local function, or make the call outside the lambda.");

    public static readonly DiagnosticDescriptor FiberMethodAsDelegate = Error("MIOUG014",
        "[Fiber] method group turned into an ordinary delegate",
        "'{0}' is a [Fiber] method used as an ordinary delegate: calling the delegate would run it outside any fiber. Pass it to a fiber-body parameter (Fiber.Async({0})), call it directly, or wrap the call in a lambda given to Fiber.Async.");

    public static readonly DiagnosticDescriptor ArbitraryFiberBody = Error("MIOUG015",
        "Fiber body that the generator cannot rewrite",
        "The fiber body passed to '{0}' is neither a lambda nor a [Fiber] method group, so it cannot be made resumable. Write a lambda here ('() => f()'), or pass a [Fiber] method.");

    public static readonly DiagnosticDescriptor TwinNameClash = Error("MIOUG016",
        "Name clash with the generated twin",
        "'{0}' already declares '{1}', the name of the fiber twin the generator must add for '{2}'. Rename one of them.");

    public static readonly DiagnosticDescriptor OverrideOfNonFiber = Error("MIOUG017",
        "[Fiber] override or implementation of a method that is not [Fiber]",
        "'{0}' overrides or implements '{1}', which is not a [Fiber] method, so there is no twin '{2}' to override. Mark '{1}' [Fiber] too, or remove [Fiber] here.");

    public static readonly DiagnosticDescriptor ConditionalAccess = Error("MIOUG018",
        "Suspension in a conditional access chain",
        "'{0}' suspends in the middle of a '?.' chain, which the generator supports only in the form 'x?.M(…)', and as a statement when M returns nothing. Store the receiver in a local and test it for null ('if (x is {{ }} r) r.M(…)').");

    public static readonly DiagnosticDescriptor RunNotRouted = Warning("MIOUG019",
        "Fiber.Run cannot be routed to the generated twin",
        "Fiber.Run cannot route '{0}' to its generated twin ({1}): the call would run the method outside any fiber and throw NotInFiberException. Write Fiber.Run(() => {2}(…)) with the twin, from an 'async' lambda.");

    public static readonly DiagnosticDescriptor NotAMethod = Error("MIOUG020",
        "[Fiber] on something that is not an ordinary method",
        "'{0}' is {1}: only ordinary methods and local functions can be [Fiber] methods. Move the body into a [Fiber] method and call it.");

    public static readonly DiagnosticDescriptor ForeignCounterpart = Error("MIOUG021",
        "[DirectStyle] counterpart that is not a Miou awaitable",
        "'{0}' is [DirectStyle] with counterpart '{1}', but {2}: generated code awaits the counterpart inside a fiber, which can await only Miou awaitables, so every call would fail at run time. Make '{1}' return a Fiber or Fiber<T> (write it as an 'async Fiber<T>' method, awaiting Fiber.AwaitTaskAsync for a Task), or remove [DirectStyle].");

    public static readonly DiagnosticDescriptor InternalError = Error("MIOUG099",
        "The [Fiber] generator failed",
        "The [Fiber] generator failed on '{0}' and generated nothing for it ({1}). Please report it with the method's code.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = typeof(Descriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) =>
        s_byId.TryGetValue(id, out var d) ? d : throw new ArgumentException($"Unknown diagnostic id {id}.", nameof(id));

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpRoot + id + ".md");

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpRoot + id + ".md");
}
