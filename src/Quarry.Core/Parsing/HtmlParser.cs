using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.Options;
using AngleHtmlParser = AngleSharp.Html.Parser.HtmlParser;

namespace Quarry.Parsing;

/// <summary>
/// HTML via AngleSharp: page chrome (navigation, scripts, forms, header/footer/aside) is dropped; headings, paragraphs,
/// lists, tables, code and quotes keep their structure. Inline markup is flattened to text.
/// </summary>
internal sealed class HtmlParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private const int MaxSpan = 64;

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "nav", "script", "style", "noscript", "template", "svg", "form", "aside", "footer", "iframe", "object", "embed",
        "button", "select", "input", "textarea", "canvas", "head", "menu", "dialog",
    };

    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "ul", "html", "caption", "tr", "td", "th", "tbody", "thead", "tfoot",
    };

    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm", ".xhtml"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/html", "application/xhtml+xml"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (!TextDecoding.HasUtf16Bom(bytes) && TextDecoding.LooksBinary(bytes))
        {
            throw new DocumentRejectedException(RejectionReason.Binary, $"'{input.FileName}' contains binary data, not HTML.");
        }
        NestingScan.CheckHtml(bytes, input.FileName, options.Value.MaxNestingDepth, options.Value.MaxElements);

        // AngleSharp honours the BOM and <meta charset>, which strict UTF-8 decoding would not.
        using var stream = new MemoryStream(bytes, writable: false);
        using var document = await new AngleHtmlParser().ParseDocumentAsync(stream, cancellationToken).ConfigureAwait(false);
        var builder = new DocumentBuilder();
        if (document.Body is { } body) new Walker(builder, new Structure(body), cancellationToken).Container(body, 0);

        var title = DocumentBuilder.CollapseWhitespace(document.Title);
        if (title.Length == 0) title = DocumentBuilder.CollapseWhitespace(document.QuerySelector("h1")?.TextContent);
        return builder.Build(title, ParserInputReader.FallbackTitle(input.FileName));
    }

    /// <summary>Emits an HTML fragment (e.g. a raw HTML block inside Markdown) with the same rules as a page body.</summary>
    /// <summary>Markdown pages carry many small HTML blocks; building a parser (and its browsing context) for each
    /// one cost more than parsing it. A parser is reused per thread, as AngleSharp's parsers are not thread-safe.</summary>
    private static readonly ThreadLocal<AngleHtmlParser> FragmentParser = new(() => new AngleHtmlParser());

    internal static void EmitFragment(DocumentBuilder builder, string html, CancellationToken cancellationToken)
    {
        // Most fragments in Markdown are bare wrappers ("<div class=…>", "</div>", "<img …>"): nothing to extract.
        if (!HasTextOutsideTags(html)) return;
        // Fragments come from Markdown, whose own scan does not look inside HTML blocks.
        NestingScan.CheckHtml(Encoding.UTF8.GetBytes(html), "HTML block", 512, int.MaxValue);
        using var document = FragmentParser.Value!.ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
        if (document.Body is { } body) new Walker(builder, new Structure(body), cancellationToken).Container(body, 0);
    }

    private static bool HasTextOutsideTags(string html)
    {
        var inTag = false;
        foreach (var c in html)
        {
            if (c == '<') inTag = true;
            else if (c == '>') inTag = false;
            else if (!inTag && char.IsLetterOrDigit(c)) return true;
        }
        return false;
    }

    private static bool IsDropped(IElement element, Structure structure)
    {
        if (Dropped.Contains(element.LocalName)) return true;
        if (element.HasAttribute("hidden") || element.GetAttribute("aria-hidden") == "true") return true;
        var role = element.GetAttribute("role");
        if (role is "navigation" or "banner" or "contentinfo" or "search" or "complementary") return !structure.ContainsH1(element);
        // A page header is chrome unless it carries the document's title.
        return element.LocalName == "header" && !structure.ContainsH1(element);
    }

    /// <summary>
    /// Facts about subtrees the walk asks at every level (is there a block below? an h1?), computed once in one pass
    /// from the leaves up. Asking the DOM each time re-scanned every subtree at every level: quadratic in the depth.
    /// </summary>
    private sealed class Structure
    {
        private readonly HashSet<IElement> _hasBlock = [];
        private readonly HashSet<IElement> _hasH1 = [];

        public Structure(IElement root)
        {
            var elements = root.Descendants<IElement>().ToList();
            // Document order reversed: every element is seen after all of its descendants.
            for (var i = elements.Count - 1; i >= 0; i--)
            {
                var element = elements[i];
                if (element.ParentElement is not { } parent) continue;
                if (_hasH1.Contains(element) || element.LocalName == "h1") _hasH1.Add(parent);
                if (_hasBlock.Contains(element) || (BlockTags.Contains(element.LocalName) && !IsDropped(element, this))) _hasBlock.Add(parent);
            }
        }

        public bool HasBlockDescendant(IElement element) => _hasBlock.Contains(element);

        public bool ContainsH1(IElement element) => _hasH1.Contains(element);
    }

    private sealed class Walker(DocumentBuilder builder, Structure structure, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _pending = new();

        public void Container(IElement element, int listDepth)
        {
            foreach (var node in element.ChildNodes)
            {
                switch (node)
                {
                    case IText text:
                        _pending.Append(text.Data);
                        break;
                    case IElement child when IsDropped(child, structure):
                        break;
                    case IElement child when !BlockTags.Contains(child.LocalName) && !structure.HasBlockDescendant(child):
                        if (child.LocalName == "br") _pending.Append('\n');
                        else AppendInline(_pending, child, structure);
                        break;
                    case IElement child:
                        Flush();
                        Block(child, listDepth);
                        break;
                }
            }
            Flush();
        }

        private string InlineText(IElement element)
        {
            var sb = new StringBuilder();
            AppendInline(sb, element, structure);
            return sb.ToString();
        }

        private void Flush()
        {
            if (_pending.Length == 0) return;
            builder.AddParagraph(_pending.ToString());
            _pending.Clear();
        }

        private void Block(IElement element, int listDepth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (element.LocalName)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    builder.AddHeading(InlineText(element), element.LocalName[1] - '0');
                    break;
                case "ul" or "ol":
                    List(element, listDepth);
                    if (listDepth == 0) builder.EndList();
                    break;
                case "dl":
                    DefinitionList(element, listDepth);
                    builder.EndList();
                    break;
                case "table":
                    Table(element);
                    break;
                case "pre":
                    builder.AddCode(element.TextContent, CodeLanguage(element));
                    break;
                case "blockquote":
                    builder.AddQuote(InlineText(element));
                    break;
                case "hr":
                    break;
                case "p" when !structure.HasBlockDescendant(element):
                    builder.AddParagraph(InlineText(element));
                    break;
                default:
                    Container(element, listDepth);
                    break;
            }
        }

        private void List(IElement list, int depth)
        {
            var ordinal = int.TryParse(list.GetAttribute("start"), out var start) ? start : 1;
            foreach (var item in list.Children.Where(c => c.LocalName == "li"))
            {
                var marker = list.LocalName == "ol" ? $"{ordinal++}." : "-";
                var text = new StringBuilder();
                var nested = new List<IElement>();
                foreach (var node in item.ChildNodes)
                {
                    if (node is IElement { LocalName: "ul" or "ol" or "table" or "pre" } block) nested.Add(block);
                    else if (node is IElement e && IsDropped(e, structure)) continue;
                    else if (node is IElement e2) AppendInline(text.Append(' '), e2, structure);
                    else text.Append(node.TextContent);
                }
                builder.AddListItem(text.ToString(), depth, marker);
                foreach (var block in nested)
                {
                    if (block.LocalName is "ul" or "ol") List(block, depth + 1);
                    else Block(block, depth + 1);
                }
            }
        }

        private void DefinitionList(IElement list, int depth)
        {
            foreach (var child in list.Children)
            {
                if (child.LocalName == "dt") builder.AddListItem(InlineText(child), depth);
                else if (child.LocalName == "dd") builder.AddListItem(InlineText(child), depth + 1);
                else if (child.LocalName == "div") DefinitionList(child, depth);
            }
        }

        private void Table(IElement table)
        {
            var rows = table.QuerySelectorAll("tr").Where(r => r.Closest("table") == table).ToList();
            var grid = new List<List<string?>>();
            for (var r = 0; r < rows.Count; r++)
            {
                while (grid.Count <= r) grid.Add([]);
                var col = 0;
                foreach (var cell in rows[r].Children.Where(c => c.LocalName is "td" or "th"))
                {
                    while (col < grid[r].Count && grid[r][col] is not null) col++;
                    var text = DocumentBuilder.CollapseWhitespace(InlineText(cell));
                    var colSpan = Math.Clamp(Span(cell, "colspan"), 1, MaxSpan);
                    var rowSpan = Math.Clamp(Span(cell, "rowspan"), 1, Math.Min(MaxSpan, rows.Count - r));
                    for (var dr = 0; dr < rowSpan; dr++)
                    {
                        while (grid.Count <= r + dr) grid.Add([]);
                        var row = grid[r + dr];
                        for (var dc = 0; dc < colSpan; dc++)
                        {
                            while (row.Count <= col + dc) row.Add(null);
                            row[col + dc] = text;
                        }
                    }
                    col += colSpan;
                }
            }
            var caption = table.QuerySelector("caption");
            if (caption is not null && caption.Closest("table") == table) builder.AddParagraph(InlineText(caption));
            builder.AddTable(grid.Select(r => (IReadOnlyList<string>)r.Select(c => c ?? "").ToList()).ToList());
        }

        private static int Span(IElement cell, string attribute) =>
            int.TryParse(cell.GetAttribute(attribute), out var span) ? span : 1;

        private static string? CodeLanguage(IElement pre)
        {
            var classes = (pre.ClassName + " " + pre.QuerySelector("code")?.ClassName).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var language = classes.FirstOrDefault(c => c.StartsWith("language-", StringComparison.Ordinal) || c.StartsWith("lang-", StringComparison.Ordinal));
            return language?[(language.IndexOf('-', StringComparison.Ordinal) + 1)..];
        }
    }

    private static void AppendInline(StringBuilder sb, INode node, Structure structure)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    sb.Append(text.Data);
                    break;
                case IElement element when IsDropped(element, structure):
                    break;
                case IElement { LocalName: "br" }:
                    sb.Append(' ');
                    break;
                case IHtmlImageElement:
                    break;
                case IElement element:
                    var block = BlockTags.Contains(element.LocalName);
                    if (block) sb.Append(' ');
                    AppendInline(sb, element, structure);
                    if (block || element.LocalName is "td" or "th") sb.Append(' ');
                    break;
            }
        }
    }
}
