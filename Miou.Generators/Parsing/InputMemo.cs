using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// Keeps each [Fiber] declaration's <see cref="FiberMethodInput"/> from one compilation to the next, so that the
/// semantic step, which <c>ForAttributeWithMetadataName</c> reruns for every method on every compilation change, costs a
/// table lookup when nothing it depends on changed. The input of a method depends only on its own syntax tree (kept:
/// a tree that did not change keeps its nodes) and on the declarations of the compilation: in C# the meaning of a
/// declaration or a method body never depends on another member's body. So an entry is reused while the method's node
/// is the same and the compilation's <see cref="Declarations"/> are equal: every tree's tokens outside member bodies and
/// its preprocessor directives, the references and the options. An edit inside any body (the common edit) keeps every
/// other tree's entries; an edit of a declaration anywhere recomputes every input (as without the memo).
/// Nothing here is a pipeline value: the step still returns equatable inputs, which reference no compilation or symbol.
/// </summary>
internal static class InputMemo
{
    private sealed class Entry
    {
        public Entry(SyntaxNode method, Declarations declarations, FiberMethodInput input) =>
            (Method, Declarations, Input) = (method, declarations, input);

        public SyntaxNode Method { get; }

        public Declarations Declarations { get; }

        public FiberMethodInput Input { get; }
    }

    private static readonly ConditionalWeakTable<SyntaxNode, Entry> s_entries = new();

    /// <summary>For tests: compute every input (and resolution) afresh on this thread, to compare with the kept ones.</summary>
    [ThreadStatic]
    internal static bool Bypass;

    /// <summary>
    /// The input of the declaration <paramref name="target"/>, whose body is on <paramref name="method"/> (the
    /// implementation part of a partial method, possibly in another tree), in <paramref name="compilation"/>.
    /// </summary>
    public static FiberMethodInput Get(SyntaxNode target, SyntaxNode method, Compilation compilation, Func<FiberMethodInput> compute)
    {
        if (Bypass)
        {
            return compute();
        }

        var declarations = Declarations.For(compilation);
        if (s_entries.TryGetValue(target, out var entry) && entry.Method == method && entry.Declarations.SameAs(declarations))
        {
            return entry.Input;
        }

        // The method's own tree changed (an edit in its file): the previous tree of the file may have had the same method.
        var input = target == method ? Texts.Find(target, declarations) : null;
        input ??= compute();
        lock (s_entries)
        {
            s_entries.Remove(target);
            s_entries.Add(target, new Entry(method, declarations, input));
            if (target == method)
            {
                Texts.Remember(target, declarations, input);
            }
        }

        return input;
    }

    /// <summary>
    /// The inputs of the methods of a file's previous tree, by text: an edit inside one body gives the file a new tree, so
    /// every method of the file has a new node, but the others' inputs are unchanged when their text is, with the same
    /// declarations (the file's own included: its <see cref="Declarations.Shape"/>), the same place among them (methods
    /// of the same text may be declared in different types), the same preprocessor directives before them (the
    /// <c>#nullable</c> context) and the same language version. Only their position may differ: an input
    /// reused from the previous tree gets the new one. An input with diagnostics, or finished in the semantic step (a
    /// method with directives inside), holds positions elsewhere too and is not reused.
    /// </summary>
    private static class Texts
    {
        private sealed class Remembered
        {
            public Remembered(Declarations declarations, FiberMethodInput input) => (Declarations, Input) = (declarations, input);

            public Declarations Declarations { get; }

            public FiberMethodInput Input { get; }
        }

        /// <summary>Per tree, its methods' inputs by (text, directives before the method, place among the declarations).</summary>
        private static readonly ConditionalWeakTable<SyntaxTree, Dictionary<(string, int, string), Remembered>> s_byTree = new();

        /// <summary>Per file path, its latest tree and the one before (weakly: old compilations stay collectable).</summary>
        private static readonly Dictionary<string, (WeakReference<SyntaxTree> Latest, WeakReference<SyntaxTree>? Before)> s_trees = new();

        public static FiberMethodInput? Find(SyntaxNode method, Declarations declarations)
        {
            var tree = method.SyntaxTree;
            SyntaxTree? before;
            lock (s_entries)
            {
                if (!s_trees.TryGetValue(tree.FilePath, out var trees) || !trees.Latest.TryGetTarget(out var latest))
                {
                    return null;
                }

                before = latest == tree ? null : latest;
                if (before is null && trees.Before is not null)
                {
                    trees.Before.TryGetTarget(out before);
                }
            }

            if (before is null || !s_byTree.TryGetValue(before, out var inputs) ||
                !string.Equals(Declarations.ShapeOf(before), Declarations.ShapeOf(tree), StringComparison.Ordinal))
            {
                return null;
            }

            Remembered? found;
            lock (s_entries)
            {
                inputs.TryGetValue(Key(method), out found);
            }

            if (found is null || method is not MethodDeclarationSyntax declaration || !found.Declarations.SameAs(declarations) ||
                found.Input is not { Done: null, Method: { Diagnostics.Count: 0 } source } ||
                source.LanguageVersion != (int)((Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)tree.Options).LanguageVersion)
            {
                return null;
            }

            var position = FiberMethodParser.Position(declaration);
            return position == source.Position ? found.Input : found.Input with { Method = source with { Position = position } };
        }

        /// <summary>Notes <paramref name="input"/> as the input of <paramref name="method"/> in its tree (under the caller's lock).</summary>
        public static void Remember(SyntaxNode method, Declarations declarations, FiberMethodInput input)
        {
            var tree = method.SyntaxTree;
            if (!s_trees.TryGetValue(tree.FilePath, out var trees) || !trees.Latest.TryGetTarget(out var latest) || latest != tree)
            {
                s_trees[tree.FilePath] = (new WeakReference<SyntaxTree>(tree), trees.Latest);
            }

            s_byTree.GetValue(tree, static _ => new Dictionary<(string, int, string), Remembered>())[Key(method)] = new Remembered(declarations, input);
        }

        /// <summary>
        /// The method's text, the number of directives before it, and its place: its index among its parent's members, and
        /// so on up to the compilation unit (two trees of the same shape declare the same members in the same order).
        /// </summary>
        private static (string Text, int DirectivesBefore, string Place) Key(SyntaxNode method)
        {
            var place = new StringBuilder();
            for (var node = method; node.Parent is { } parent; node = parent)
            {
                var index = node is not MemberDeclarationSyntax member ? -1 : parent switch
                {
                    TypeDeclarationSyntax type => type.Members.IndexOf(member),
                    BaseNamespaceDeclarationSyntax ns => ns.Members.IndexOf(member),
                    CompilationUnitSyntax unit => unit.Members.IndexOf(member),
                    _ => -1,
                };
                place.Append(index).Append('.');
            }

            var directives = 0;
            if (method.SyntaxTree.GetRoot() is Microsoft.CodeAnalysis.CSharp.CSharpSyntaxNode { ContainsDirectives: true } root)
            {
                for (var directive = root.GetFirstDirective(); directive is not null && directive.SpanStart < method.SpanStart; directive = directive.GetNextDirective())
                {
                    directives++;
                }
            }

            return (method.SyntaxTree.GetText().ToString(method.Span), directives, place.ToString());
        }
    }

    /// <summary>
    /// What the meaning of any body in a compilation can depend on outside its own tree: the declarations of every tree
    /// (tokens outside member bodies, and all preprocessor directives, since <c>#nullable</c> in a body affects the
    /// declarations after it), the references and the options. Computed once per compilation; a tree's part once per tree.
    /// </summary>
    internal sealed class Declarations
    {
        private static readonly ConditionalWeakTable<Compilation, Declarations> s_byCompilation = new();
        private static readonly ConditionalWeakTable<SyntaxTree, string> s_byTree = new();

        /// <summary>A tree's <see cref="Shape"/>, computed once per tree.</summary>
        public static string ShapeOf(SyntaxTree tree) => s_byTree.GetValue(tree, Shape);
        private static Declarations? s_last;

        private readonly CompilationOptions _options;
        private readonly string? _assemblyName;
        private readonly MetadataReference[] _references;
        private readonly string[] _trees;

        private Declarations(Compilation compilation)
        {
            _options = WithoutResolvers(compilation.Options);
            _assemblyName = compilation.AssemblyName;
            _references = new List<MetadataReference>(compilation.References).ToArray();
            var trees = new List<string>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                trees.Add(ShapeOf(tree));
            }

            _trees = trees.ToArray();
        }

        /// <summary>The declarations of <paramref name="compilation"/>: the same object as the previous compilation's when equal.</summary>
        public static Declarations For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c =>
        {
            var created = new Declarations(c);
            lock (s_byCompilation)
            {
                if (s_last is { } last && last.SameAs(created))
                {
                    return last;
                }

                s_last = created;
                return created;
            }
        });

        /// <summary>
        /// The options without the host's resolvers and providers, which are compared by <see cref="CompilationOptions.Equals(object)"/>
        /// but cannot be: the command-line compiler's resolver throws <see cref="NotImplementedException"/> from its
        /// <c>Equals</c>, and the compiler server meets a new one in every build. They locate references and key files;
        /// the references themselves are compared one by one.
        /// </summary>
        private static CompilationOptions WithoutResolvers(CompilationOptions options) => options
            .WithMetadataReferenceResolver(null)
            .WithSourceReferenceResolver(null)
            .WithXmlReferenceResolver(null)
            .WithStrongNameProvider(null);

        public bool SameAs(Declarations other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (_assemblyName != other._assemblyName || _references.Length != other._references.Length ||
                _trees.Length != other._trees.Length || !_options.Equals(other._options))
            {
                return false;
            }

            for (var i = 0; i < _references.Length; i++)
            {
                if (!ReferenceEquals(_references[i], other._references[i]))
                {
                    return false;
                }
            }

            for (var i = 0; i < _trees.Length; i++)
            {
                if (!string.Equals(_trees[i], other._trees[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>A tree's path, its tokens outside member bodies and its directives, as one string.</summary>
        internal static string Shape(SyntaxTree tree)
        {
            var root = tree.GetRoot();
            var text = new StringBuilder(tree.FilePath).Append('\n');
            foreach (var token in root.DescendantTokens(node => !IsMemberBody(node, text)))
            {
                text.Append(token.Text).Append(' ');
            }

            if (root.ContainsDirectives)
            {
                text.Append('\n');
                for (var directive = ((Microsoft.CodeAnalysis.CSharp.CSharpSyntaxNode)root).GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
                {
                    text.Append(directive.ToString()).Append('\n');
                }
            }

            return text.ToString();
        }

        /// <summary>
        /// A member's body: nothing outside the member can depend on what it contains, except whether a property's
        /// accessor uses the <c>field</c> keyword (which declares a backing field), noted in <paramref name="text"/>.
        /// </summary>
        private static bool IsMemberBody(SyntaxNode node, StringBuilder text)
        {
            var isBody = node.Parent switch
            {
                BaseMethodDeclarationSyntax method => node == method.Body || node == method.ExpressionBody,
                AccessorDeclarationSyntax accessor => node == accessor.Body || node == accessor.ExpressionBody,
                PropertyDeclarationSyntax property => node == property.ExpressionBody,
                IndexerDeclarationSyntax indexer => node == indexer.ExpressionBody,
                _ => false,
            };
            if (isBody && node.Parent is not BaseMethodDeclarationSyntax && UsesField(node))
            {
                text.Append("field-keyword ");
            }

            return isBody;
        }

        private static bool UsesField(SyntaxNode body)
        {
            foreach (var token in body.DescendantTokens())
            {
                if (token.ValueText == "field" && (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.FieldKeyword)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
