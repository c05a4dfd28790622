using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Miou.Generators.Parsing;

/// <summary>
/// Which method names can denote a suspension point or a [Fiber] method in a compilation, so that the body analysis asks
/// the semantic model (which binds the statement) only about names that can matter. A name can matter when a referenced
/// assembly that uses Miou declares a [Fiber] or [DirectStyle] method of that name, or when the compilation's own source
/// declares any member of that name (the declaration table answers without binding). Computed once per referenced
/// assembly and once per compilation; lookups and call resolutions are kept per scope for the compilation too. The
/// answers that depend only on the compilation's declarations (the source's names, and the resolutions of calls in an
/// import context) are kept while the declarations are unchanged (<see cref="InputMemo.Declarations"/>), so across
/// edits inside bodies: a new compilation binds a file's imports again, which a lookup would pay on every such edit.
/// </summary>
internal sealed class SuspensionNames
{
    private static readonly ConditionalWeakTable<Compilation, SuspensionNames> s_byCompilation = new();
    private static readonly ConditionalWeakTable<IAssemblySymbol, HashSet<string>> s_byAssembly = new();

    private static readonly ConditionalWeakTable<InputMemo.Declarations, Shared> s_byDeclarations = new();

    private readonly Compilation _compilation;
    private readonly HashSet<string> _referenced = new();
    private readonly Shared _shared;
    private readonly Dictionary<(SyntaxTree Tree, int Scope, string Name), ImmutableArray<ISymbol>> _lookups = new();
    private readonly Dictionary<(object Scope, string Receiver, string Name, string Arguments), CallResolution> _resolutions = new();

    /// <summary>What depends only on the declarations, the references and the options: shared by the compilations that have equal ones.</summary>
    private sealed class Shared
    {
        public Dictionary<string, bool> Source { get; } = new();

        /// <summary>Resolutions in an import context (a string): a scope that is a node belongs to one compilation's tree.</summary>
        public Dictionary<(object Scope, string Receiver, string Name, string Arguments), CallResolution> Resolutions { get; } = new();
    }

    /// <summary>How a call resolved by lookup: when not <paramref name="ByLookup"/>, the call must be bound.</summary>
    public readonly record struct CallResolution(bool ByLookup, Model.CallFact? Fact);

    private SuspensionNames(Compilation compilation)
    {
        _compilation = compilation;
        _shared = InputMemo.Bypass ? new Shared() : s_byDeclarations.GetValue(InputMemo.Declarations.For(compilation), static _ => new Shared());
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (UsesMiou(assembly))
            {
                _referenced.UnionWith(s_byAssembly.GetValue(assembly, Collect));
            }
        }
    }

    public static SuspensionNames For(Compilation compilation) => s_byCompilation.GetValue(compilation, c => new SuspensionNames(c));

    /// <summary>False when no method of this name can be a [Fiber] or [DirectStyle] method: the call is ordinary.</summary>
    public bool MayMatter(string name)
    {
        if (_referenced.Contains(name))
        {
            return true;
        }

        var source = _shared.Source;
        lock (source)
        {
            if (!source.TryGetValue(name, out var declared))
            {
                declared = _compilation.ContainsSymbolsWithName(name, SymbolFilter.Member);
                source[name] = declared;
            }

            return declared;
        }
    }

    /// <summary>
    /// <see cref="SemanticModel.LookupSymbols(int, INamespaceOrTypeSymbol?, string?, bool)"/> of a name at a position in
    /// <paramref name="scope"/>, asked once per scope, name and compilation: the caller guarantees that nothing between
    /// the scope and the position (a parameter, a type parameter, a local) declares the name.
    /// </summary>
    public ImmutableArray<ISymbol> Lookup(SemanticModel model, SyntaxNode scope, int position, string name)
    {
        var key = (scope.SyntaxTree, scope.SpanStart, name);
        lock (_lookups)
        {
            if (_lookups.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var found = model.LookupSymbols(position, name: name);
        lock (_lookups)
        {
            _lookups[key] = found;
        }

        return found;
    }

    /// <summary>
    /// The resolution of <c>receiver.name(…)</c> (or <c>name(…)</c>) with these arguments in a scope (a type
    /// declaration, or the text of the namespaces and usings around it), computed once per scope and compilation (per
    /// import context and declarations): it depends only on lookups there and on the arguments' number and names.
    /// </summary>
    public CallResolution Resolution(object scope, string receiver, string name, string arguments, Func<CallResolution> resolve)
    {
        var key = (scope, receiver, name, arguments);
        var resolutions = scope is string ? _shared.Resolutions : _resolutions;
        lock (resolutions)
        {
            if (resolutions.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var resolution = resolve();
        lock (resolutions)
        {
            resolutions[key] = resolution;
        }

        return resolution;
    }

    private static bool UsesMiou(IAssemblySymbol assembly)
    {
        if (assembly.Name == "Miou.Runtime")
        {
            return true;
        }

        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name == "Miou.Runtime")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static HashSet<string> Collect(IAssemblySymbol assembly)
    {
        var names = new HashSet<string>();
        var namespaces = new Stack<INamespaceSymbol>();
        namespaces.Push(assembly.GlobalNamespace);
        while (namespaces.Count > 0)
        {
            var ns = namespaces.Pop();
            foreach (var member in ns.GetMembers())
            {
                if (member is INamespaceSymbol inner)
                {
                    namespaces.Push(inner);
                }
                else if (member is INamedTypeSymbol type)
                {
                    CollectType(type, names);
                }
            }
        }

        return names;
    }

    private static void CollectType(INamedTypeSymbol type, HashSet<string> names)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol method &&
                (KnownSymbols.HasAttribute(method, "FiberAttribute") || KnownSymbols.HasAttribute(method, "DirectStyleAttribute")))
            {
                names.Add(method.Name);
            }
        }

        foreach (var nested in type.GetTypeMembers())
        {
            CollectType(nested, names);
        }
    }
}
