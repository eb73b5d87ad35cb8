using System.Globalization;
using System.Text;
using Quarry.Documents;

namespace Quarry.Parsing;

/// <summary>
/// Writes the normalized text and its blocks in one pass, so that every parser emits the same shape: blocks are
/// separated by a blank line (list items of one list by a single newline), whitespace is collapsed outside code,
/// control characters are dropped and the text is NFC-normalized.
/// </summary>
public sealed class DocumentBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<Block> _blocks = [];
    private string? _firstHeading;
    private bool _inList;

    /// <summary>The page subsequent blocks belong to (paginated formats only).</summary>
    public int? CurrentPage { get; set; }

    public int Length => _text.Length;
    public int BlockCount => _blocks.Count;

    public DocumentBuilder AddHeading(string text, int level)
    {
        var clean = CollapseWhitespace(text);
        if (clean.Length == 0) return this;
        level = Math.Clamp(level, 1, 6);
        _firstHeading ??= clean;
        return Append(BlockKind.Heading, new string('#', level) + " " + clean, level);
    }

    public DocumentBuilder AddParagraph(string text)
    {
        var clean = CollapseWhitespace(text);
        return clean.Length == 0 ? this : Append(BlockKind.Paragraph, clean, 0);
    }

    public DocumentBuilder AddQuote(string text)
    {
        var clean = CollapseWhitespace(text);
        return clean.Length == 0 ? this : Append(BlockKind.Quote, "> " + clean, 0);
    }

    /// <param name="marker">"-" for bullets, or the ordinal such as "1." for numbered lists.</param>
    public DocumentBuilder AddListItem(string text, int depth = 0, string marker = "-")
    {
        var clean = CollapseWhitespace(text);
        if (clean.Length == 0) return this;
        depth = Math.Clamp(depth, 0, 8);
        return Append(BlockKind.ListItem, new string(' ', depth * 2) + marker + " " + clean, depth);
    }

    public DocumentBuilder AddCode(string code, string? language = null)
    {
        var body = NormalizeCode(code);
        if (body.Trim().Length == 0) return this;
        var fence = body.Contains("```", StringComparison.Ordinal) ? "~~~" : "```";
        return Append(BlockKind.Code, fence + (language ?? "") + "\n" + body + "\n" + fence, 0);
    }

    /// <summary>Adds a table as a pipe table. The first row is the header; rows are padded to the widest row.</summary>
    public DocumentBuilder AddTable(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var nonEmpty = rows.Where(r => r.Any(c => !string.IsNullOrWhiteSpace(c))).ToList();
        if (nonEmpty.Count == 0) return this;
        var width = nonEmpty.Max(r => r.Count);
        var sb = new StringBuilder();
        for (var i = 0; i < nonEmpty.Count; i++)
        {
            AppendRow(sb, nonEmpty[i], width);
            if (i == 0)
            {
                sb.Append('\n').Append('|');
                for (var c = 0; c < width; c++) sb.Append(" --- |");
            }
            if (i < nonEmpty.Count - 1) sb.Append('\n');
        }
        return Append(BlockKind.Table, sb.ToString(), 0);
    }

    public ParsedDocument Build(string? title = null, string? fallbackTitle = null)
    {
        var text = _text.ToString();
        var resolved = FirstNonEmpty(title, _firstHeading, fallbackTitle) ?? "Untitled";
        return new ParsedDocument(CapTitle(CollapseWhitespace(resolved)), text, _blocks.ToArray());
    }

    private DocumentBuilder Append(BlockKind kind, string content, int level)
    {
        if (ExtractionBudget.Current is { } budget)
        {
            budget.ChargeChars(content.Length + 2);
            budget.ChargeElements(1);
        }
        content = Normalize(content);
        if (_text.Length > 0)
        {
            var tightList = kind == BlockKind.ListItem && _inList;
            _text.Append(tightList ? "\n" : "\n\n");
        }
        var start = _text.Length;
        _text.Append(content);
        _blocks.Add(new Block(kind, new TextSpan(start, _text.Length), level, CurrentPage));
        _inList = kind == BlockKind.ListItem;
        return this;
    }

    /// <summary>Ends the current list so the next list item starts a new one (after a blank line).</summary>
    public DocumentBuilder EndList()
    {
        _inList = false;
        return this;
    }

    private static void AppendRow(StringBuilder sb, IReadOnlyList<string> row, int width)
    {
        sb.Append('|');
        for (var c = 0; c < width; c++)
        {
            var cell = c < row.Count ? CollapseWhitespace(row[c]).Replace("|", "\\|", StringComparison.Ordinal) : "";
            sb.Append(' ').Append(cell).Append(" |");
        }
    }

    /// <summary>Longest title kept, in characters; longer ones are cut at a word boundary with an ellipsis.</summary>
    public const int MaxTitleLength = 200;

    /// <summary>One line (whitespace is already collapsed) of at most <see cref="MaxTitleLength"/> characters.</summary>
    public static string CapTitle(string title)
    {
        if (title.Length <= MaxTitleLength) return title;
        var cut = title.LastIndexOf(' ', MaxTitleLength - 1);
        if (cut < MaxTitleLength / 2) cut = MaxTitleLength - 1;
        if (char.IsHighSurrogate(title[cut - 1])) cut--;
        return string.Concat(title.AsSpan(0, cut).TrimEnd(), "…");
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>Collapses all whitespace runs (including newlines) to one space and drops control characters.</summary>
    public static string CollapseWhitespace(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch) || ch == '\u200B')
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (IsDroppable(ch)) continue;
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(ch);
        }
        return sb.ToString();
    }

    private static string NormalizeCode(string code)
    {
        var sb = new StringBuilder(code.Length);
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        // Trim blank lines at both ends and trailing spaces on each line; keep indentation.
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        var last = Array.FindLastIndex(lines, l => l.Trim().Length > 0);
        if (first < 0) return "";
        for (var i = first; i <= last; i++)
        {
            if (i > first) sb.Append('\n');
            foreach (var ch in lines[i].TrimEnd())
            {
                if (ch == '\t' || !IsDroppable(ch)) sb.Append(ch);
            }
        }
        return sb.ToString();
    }

    /// <summary>Control and invisible format characters (soft hyphens, BOMs, bidi marks) and U+FFFD are dropped;
    /// newlines, tabs, surrogate halves (emoji) and the zero-width joiner inside emoji sequences are kept.</summary>
    private static bool IsDroppable(char ch) => ch switch
    {
        '\n' or '\t' or '\u200D' => false,
        '\uFFFD' => true,
        _ => char.GetUnicodeCategory(ch) is UnicodeCategory.Control or UnicodeCategory.Format,
    };

    private static string Normalize(string content) =>
        content.IsNormalized(NormalizationForm.FormC) ? content : content.Normalize(NormalizationForm.FormC);
}
