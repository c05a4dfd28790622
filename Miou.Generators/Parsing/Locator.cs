using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Miou.Generators.Model;

namespace Miou.Generators.Parsing;

/// <summary>
/// Places diagnostics found in a copy of a declaration (reparsed from its text) where the declaration is in the user's
/// file: spans and line positions are shifted from the copy's origin to <see cref="SourcePosition"/>.
/// </summary>
internal sealed class Locator
{
    private readonly SourceText _text;
    private readonly int _origin;
    private readonly LinePosition _originLine;
    private readonly SourcePosition _position;

    /// <param name="text">The text the analysed nodes are in.</param>
    /// <param name="origin">Where the declaration starts in <paramref name="text"/>.</param>
    /// <param name="position">Where the declaration starts in the user's file.</param>
    public Locator(SourceText text, int origin, SourcePosition position)
    {
        _text = text;
        _origin = origin;
        _originLine = text.Lines.GetLinePosition(origin);
        _position = position;
    }

    public DiagnosticInfo Create(DiagnosticDescriptor descriptor, TextSpan span, params string[] arguments)
    {
        var lines = new LinePositionSpan(Map(_text.Lines.GetLinePosition(span.Start)), Map(_text.Lines.GetLinePosition(span.End)));
        var shifted = new TextSpan(span.Start - _origin + _position.Start, span.Length);
        return new DiagnosticInfo(descriptor.Id, _position.FilePath, shifted, lines, arguments.ToEquatableArray());
    }

    private LinePosition Map(LinePosition position) => position.Line == _originLine.Line
        ? new LinePosition(_position.Line, _position.Column + position.Character - _originLine.Character)
        : new LinePosition(_position.Line + position.Line - _originLine.Line, position.Character);
}
