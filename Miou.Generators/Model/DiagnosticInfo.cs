using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Generators.Model;

/// <summary>
/// A diagnostic as a value: the descriptor's id, where (path and spans, never a <see cref="Location"/> tied to a syntax
/// tree) and the message arguments. Turned back into a <see cref="Diagnostic"/> when the output is produced.
/// </summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var line = location.GetLineSpan();
        return new DiagnosticInfo(descriptor.Id, line.Path ?? "", location.SourceSpan, line.Span, arguments.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.Descriptors.ById(Id);
        var location = Location.Create(FilePath, Span, LineSpan);
        var args = new object[Arguments.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Arguments[i];
        }

        return Diagnostic.Create(descriptor, location, args);
    }
}
