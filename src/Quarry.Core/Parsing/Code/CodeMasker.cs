using System.Text;

namespace Quarry.Parsing.Code;

/// <summary>
/// Blanks comments and the contents of string and character literals (keeping every newline and column), so that
/// declaration patterns and brace counting never see a brace or a keyword inside a string or comment.
/// </summary>
internal static class CodeMasker
{
    public static string Mask(string source, CodeLanguage language)
    {
        var sb = new StringBuilder(source);
        var i = 0;
        var n = source.Length;
        while (i < n)
        {
            var c = source[i];
            if (language.Comments == CommentStyle.Slashes && c == '/' && i + 1 < n && source[i + 1] == '/')
            {
                i = BlankUntilLineEnd(sb, source, i);
            }
            else if (language.Comments == CommentStyle.Slashes && c == '/' && i + 1 < n && source[i + 1] == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? n : end + 2;
                Blank(sb, i, end);
                i = end;
            }
            else if (language.Comments == CommentStyle.Hash && c == '#')
            {
                i = BlankUntilLineEnd(sb, source, i);
            }
            else if (language.TripleQuotes && (Starts(source, i, "\"\"\"") || Starts(source, i, "'''")))
            {
                var quote = source.Substring(i, 3);
                var end = source.IndexOf(quote, i + 3, StringComparison.Ordinal);
                end = end < 0 ? n : end + 3;
                Blank(sb, i + 3, Math.Max(i + 3, end - 3));
                i = end;
            }
            else if (c == '"' && language.Name == "csharp" && Starts(source, i, "\"\"\""))
            {
                // C# raw string literal: as many quotes close it as opened it.
                var count = 0;
                while (i + count < n && source[i + count] == '"') count++;
                var end = source.IndexOf(new string('"', count), i + count, StringComparison.Ordinal);
                end = end < 0 ? n : end + count;
                Blank(sb, i + count, Math.Max(i + count, end - count));
                i = end;
            }
            else if (c == '"' && i > 0 && source[i - 1] == '@' && language.Name == "csharp")
            {
                i = Verbatim(sb, source, i);
            }
            else if (c == '"' || (c == '`' && language.BacktickStrings) || (c == '\'' && !language.LooseApostrophes))
            {
                i = Quoted(sb, source, i, c, multiline: c == '`');
            }
            else if (c == '\'' && language.LooseApostrophes)
            {
                // Rust: 'a is a lifetime, 'x' or '\n' a character literal.
                var close = source.IndexOf('\'', i + 1);
                i = close > i && close - i <= 10 && source.IndexOf('\n', i, close - i) < 0 ? Quoted(sb, source, i, c, false) : i + 1;
            }
            else
            {
                i++;
            }
        }
        return sb.ToString();
    }

    private static bool Starts(string source, int i, string value) =>
        string.CompareOrdinal(source, i, value, 0, value.Length) == 0;

    private static int BlankUntilLineEnd(StringBuilder sb, string source, int i)
    {
        var end = source.IndexOf('\n', i);
        end = end < 0 ? source.Length : end;
        Blank(sb, i, end);
        return end;
    }

    private static int Quoted(StringBuilder sb, string source, int start, char quote, bool multiline)
    {
        var i = start + 1;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\\') { i += 2; continue; }
            if (c == quote) break;
            // An unterminated ordinary string ends at the line end, so one stray quote cannot blank the file.
            if (c == '\n' && !multiline) break;
            i++;
        }
        var end = Math.Min(i, source.Length);
        Blank(sb, start + 1, end);
        return Math.Min(end + 1, source.Length);
    }

    private static int Verbatim(StringBuilder sb, string source, int start)
    {
        var i = start + 1;
        while (i < source.Length)
        {
            if (source[i] == '"')
            {
                if (i + 1 < source.Length && source[i + 1] == '"') { i += 2; continue; }
                break;
            }
            i++;
        }
        var end = Math.Min(i, source.Length);
        Blank(sb, start + 1, end);
        return Math.Min(end + 1, source.Length);
    }

    private static void Blank(StringBuilder sb, int from, int to)
    {
        for (var k = from; k < to && k < sb.Length; k++)
        {
            if (sb[k] is not ('\n' or '\r')) sb[k] = ' ';
        }
    }
}
