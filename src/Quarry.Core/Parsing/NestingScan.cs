namespace Quarry.Parsing;

/// <summary>
/// One linear pass over the raw input that measures nesting depth and counts elements before a parser builds its tree:
/// tree builders spend time (and stack) proportional to depth on every element, so a hostile file must be refused
/// before it reaches them, not after. The counts are approximate in the safe direction only for markup that closes
/// what it opens; elements whose end tag is optional (p, li, td, …) and void elements do not add depth.
/// </summary>
internal static class NestingScan
{
    private static readonly HashSet<string> NonNesting = new(StringComparer.OrdinalIgnoreCase)
    {
        // Void elements.
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
        // Optional end tags: a page that never closes them is valid HTML, and the tree builder closes them implicitly.
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rb", "rt",
        "rp", "rtc", "html", "head", "body", "caption",
    };

    private static readonly string[] RawText = ["script", "style", "textarea", "title", "xmp", "plaintext"];

    public static void CheckHtml(ReadOnlySpan<byte> html, string fileName, int maxDepth, long maxElements)
    {
        var depth = 0;
        long elements = 0;
        var budget = ExtractionBudget.Current;
        Span<char> name = stackalloc char[16];
        var i = 0;
        while (i < html.Length)
        {
            var lt = html[i..].IndexOf((byte)'<');
            if (lt < 0) break;
            i += lt + 1;
            if (i >= html.Length) break;
            if (html[i..].StartsWith("!--"u8))
            {
                var end = html[i..].IndexOf("-->"u8);
                if (end < 0) break;
                i += end + 3;
                continue;
            }
            var closing = html[i] == (byte)'/';
            var start = closing ? i + 1 : i;
            var length = 0;
            while (start + length < html.Length && IsNameByte(html[start + length])) length++;
            var gt = html[i..].IndexOf((byte)'>');
            if (gt < 0) break;
            var tagEnd = i + gt;
            i = tagEnd + 1;
            if (length == 0) continue;
            var tag = length <= name.Length ? ToLower(html.Slice(start, length), name) : "";
            if (closing)
            {
                if (!NonNesting.Contains(tag) && depth > 0) depth--;
                continue;
            }
            if ((++elements & 0xFFF) == 0) budget?.CheckTime();
            if (elements > maxElements)
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"'{fileName}' has more than {maxElements:N0} elements (Parsing:MaxElements).");
            if (Array.IndexOf(RawText, tag) >= 0)
            {
                // Script and style text is not markup: skip to the matching end tag.
                var close = IndexOfIgnoreCase(html[i..], "</" + tag);
                i = close < 0 ? html.Length : i + close;
                continue;
            }
            var selfClosing = html[tagEnd - 1] == (byte)'/';
            if (selfClosing || NonNesting.Contains(tag)) continue;
            if (++depth > maxDepth)
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"'{fileName}' nests elements deeper than {maxDepth} levels (Parsing:MaxNestingDepth).");
        }
    }

    /// <summary>Container depth of each Markdown line: block quote markers and list markers before the content, plus
    /// indentation (two columns per level, as nested lists are written).</summary>
    public static void CheckMarkdown(string markdown, string fileName, int maxDepth)
    {
        var budget = ExtractionBudget.Current;
        var lines = 0;
        var inFence = false;
        foreach (var range in markdown.AsSpan().EnumerateLines())
        {
            if ((++lines & 0x3FFF) == 0) budget?.CheckTime();
            var line = range;
            var trimmed = line.TrimStart(' ');
            if (trimmed.StartsWith("```") || trimmed.StartsWith("~~~")) inFence = !inFence;
            if (inFence) continue;
            var depth = 0;
            var indent = 0;
            var j = 0;
            while (j < line.Length)
            {
                var c = line[j];
                if (c == ' ') { indent++; j++; continue; }
                if (c == '\t') { indent += 4; j++; continue; }
                if (c == '>') { depth++; j++; continue; }
                if ((c is '-' or '*' or '+') && j + 1 < line.Length && line[j + 1] == ' ') { depth++; j += 2; continue; }
                var digits = 0;
                while (j + digits < line.Length && digits < 9 && char.IsAsciiDigit(line[j + digits])) digits++;
                if (digits > 0 && j + digits + 1 < line.Length && line[j + digits] is '.' or ')' && line[j + digits + 1] == ' ')
                {
                    depth++;
                    j += digits + 2;
                    continue;
                }
                break;
            }
            if (depth + indent / 2 > maxDepth && depth > 0)
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"'{fileName}' nests quotes or lists deeper than {maxDepth} levels (Parsing:MaxNestingDepth).");
        }
    }

    private static bool IsNameByte(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-';

    private static string ToLower(ReadOnlySpan<byte> bytes, Span<char> buffer)
    {
        for (var k = 0; k < bytes.Length; k++) buffer[k] = (char)(bytes[k] | 0x20);
        return new string(buffer[..bytes.Length]);
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> haystack, string needle)
    {
        var first = (byte)needle[0];
        var offset = 0;
        while (true)
        {
            var at = haystack[offset..].IndexOf(first);
            if (at < 0) return -1;
            var candidate = offset + at;
            if (candidate + needle.Length > haystack.Length) return -1;
            var match = true;
            for (var k = 1; k < needle.Length && match; k++) match = (haystack[candidate + k] | 0x20) == (needle[k] | 0x20);
            if (match) return candidate;
            offset = candidate + 1;
        }
    }
}
