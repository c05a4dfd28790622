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

    /// <summary>
    /// The input of the declaration <paramref name="target"/>, whose body is on <paramref name="method"/> (the
    /// implementation part of a partial method, possibly in another tree), in <paramref name="compilation"/>.
    /// </summary>
    public static FiberMethodInput Get(SyntaxNode target, SyntaxNode method, Compilation compilation, Func<FiberMethodInput> compute)
    {
        var declarations = Declarations.For(compilation);
        if (s_entries.TryGetValue(target, out var entry) && entry.Method == method && entry.Declarations.SameAs(declarations))
        {
            return entry.Input;
        }

        var input = compute();
        lock (s_entries)
        {
            s_entries.Remove(target);
            s_entries.Add(target, new Entry(method, declarations, input));
        }

        return input;
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
        private static Declarations? s_last;

        private readonly CompilationOptions _options;
        private readonly string? _assemblyName;
        private readonly MetadataReference[] _references;
        private readonly string[] _trees;

        private Declarations(Compilation compilation)
        {
            _options = compilation.Options;
            _assemblyName = compilation.AssemblyName;
            _references = new List<MetadataReference>(compilation.References).ToArray();
            var trees = new List<string>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                trees.Add(s_byTree.GetValue(tree, Shape));
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
