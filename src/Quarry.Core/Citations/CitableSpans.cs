using Quarry.Chunking;

namespace Quarry.Citations;

/// <summary>
/// Cuts a chunk's text into the units an answer can quote: prose sentences, list items, table rows, whole code blocks.
/// Headings and markup lines (fences, admonition markers, include directives) are never quoted on their own.
/// </summary>
internal static class CitableSpans
{
    public enum Kind
    {
        Sentence,
        Code,
    }

    /// <param name="Start">Offset in the chunk text.</param>
    /// <param name="End">Exclusive end offset in the chunk text.</param>
    public readonly record struct Unit(int Start, int End, Kind Kind);

    /// <summary>Units of <paramref name="text"/> from offset <paramref name="from"/> on (skipping a repeated table header).</summary>
    public static List<Unit> Split(string text, int from = 0)
    {
        var units = new List<Unit>();
        var sentences = new List<(int Start, int End)>();
        var paragraphStart = -1;
        var paragraphEnd = -1;
        var codeStart = -1;
        string? fence = null;

        void FlushParagraph()
        {
            if (paragraphStart < 0) return;
            sentences.Clear();
            SentenceSplitter.Split(text.AsSpan(paragraphStart, paragraphEnd - paragraphStart), sentences);
            foreach (var (s, e) in sentences) units.Add(new Unit(paragraphStart + s, paragraphStart + e, Kind.Sentence));
            paragraphStart = -1;
        }

        var lineStart = from;
        while (lineStart < text.Length)
        {
            var newline = text.IndexOf('\n', lineStart);
            var lineEnd = newline < 0 ? text.Length : newline;
            var line = text.AsSpan(lineStart, lineEnd - lineStart).TrimEnd('\r');
            var trimmed = line.Trim();
            var contentEnd = lineStart + line.Length;

            if (fence is not null)
            {
                if (trimmed.StartsWith(fence, StringComparison.Ordinal))
                {
                    units.Add(new Unit(codeStart, contentEnd, Kind.Code));
                    fence = null;
                }
            }
            else if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                FlushParagraph();
                fence = trimmed[..3].ToString();
                codeStart = lineStart;
            }
            else if (trimmed.IsEmpty || IsMarkup(trimmed))
            {
                FlushParagraph();
            }
            else if (IsListItem(trimmed) || trimmed[0] == '|')
            {
                FlushParagraph();
                if (trimmed[0] == '|' && IsTableRule(trimmed)) { }
                else
                {
                    paragraphStart = lineStart + (line.Length - line.TrimStart().Length);
                    paragraphEnd = contentEnd;
                    if (trimmed[0] == '|') FlushParagraph();
                }
            }
            else if (paragraphStart < 0)
            {
                paragraphStart = lineStart + (line.Length - line.TrimStart().Length);
                paragraphEnd = contentEnd;
            }
            else
            {
                paragraphEnd = contentEnd;
            }
            lineStart = newline < 0 ? text.Length : newline + 1;
        }
        FlushParagraph();
        if (fence is not null) units.Add(new Unit(codeStart, text.Length, Kind.Code));
        return units;
    }

    private static bool IsMarkup(ReadOnlySpan<char> line) =>
        line[0] == '#' || line.StartsWith("///") || line.StartsWith("{*") || line.StartsWith("<!--")
        || line is "---" or "***" or "___";

    private static bool IsListItem(ReadOnlySpan<char> line)
    {
        if (line.Length > 1 && line[0] is '-' or '*' or '+' && line[1] == ' ') return true;
        var digits = 0;
        while (digits < line.Length && char.IsDigit(line[digits])) digits++;
        return digits > 0 && digits + 1 < line.Length && line[digits] is '.' or ')' && line[digits + 1] == ' ';
    }

    private static bool IsTableRule(ReadOnlySpan<char> line)
    {
        foreach (var ch in line)
        {
            if (ch is not ('|' or '-' or ':' or ' ')) return false;
        }
        return true;
    }
}
