using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Miou.Analyzers.Tests.Infrastructure;

/// <summary>
/// Test sources mark expected diagnostics in place: <c>{|MIOU0001:Fiber.Async|}</c> expects MIOU0001 on exactly that
/// text; <c>[|text|]</c> expects the rule under test.
/// </summary>
internal static class Markup
{
    public static (string Source, List<(string? Id, TextSpan Span)> Expected) Parse(string markup)
    {
        var output = new StringBuilder();
        var expected = new List<(string?, TextSpan)>();
        var open = new Stack<(string? Id, int Start)>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (Starts(markup, i, "{|"))
            {
                var colon = markup.IndexOf(':', i);
                open.Push((markup.Substring(i + 2, colon - i - 2), output.Length));
                i = colon;
            }
            else if (Starts(markup, i, "[|"))
            {
                open.Push((null, output.Length));
                i++;
            }
            else if (Starts(markup, i, "|}") || Starts(markup, i, "|]"))
            {
                var (id, start) = open.Pop();
                expected.Add((id, TextSpan.FromBounds(start, output.Length)));
                i++;
            }
            else
            {
                output.Append(markup[i]);
            }
        }

        if (open.Count > 0)
        {
            throw new ArgumentException("Unclosed span in test markup.", nameof(markup));
        }

        return (output.ToString(), expected);
    }

    private static bool Starts(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}
