using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.Extensions.Options;
using MdBlock = Markdig.Syntax.Block;
using MdTable = Markdig.Extensions.Tables.Table;

namespace Quarry.Parsing;

/// <summary>Markdown via Markdig's syntax tree, so tables, nested lists and code keep their structure.</summary>
internal sealed class MarkdownParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .UseYamlFrontMatter()
        .Build();

    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/markdown", "text/x-markdown"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, input.FileName);
        NestingScan.CheckMarkdown(text, input.FileName, options.Value.MaxNestingDepth);
        var markdown = Markdown.Parse(text, Pipeline);
        var builder = new DocumentBuilder();
        string? title = null;
        foreach (var block in markdown)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (block is YamlFrontMatterBlock yaml) title = FrontMatterTitle(yaml);
            else EmitBlock(builder, block, 0);
        }
        var firstH1 = markdown.Descendants<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
        return builder.Build(title ?? (firstH1 is null ? null : InlineText(firstH1.Inline)), ParserInputReader.FallbackTitle(input.FileName));
    }

    private static void EmitBlock(DocumentBuilder builder, MdBlock block, int listDepth)
    {
        switch (block)
        {
            case HeadingBlock heading:
                builder.AddHeading(InlineText(heading.Inline), heading.Level);
                break;
            case ParagraphBlock paragraph:
                builder.AddParagraph(InlineText(paragraph.Inline));
                break;
            case ListBlock list:
                EmitList(builder, list, listDepth);
                if (listDepth == 0) builder.EndList();
                break;
            case FencedCodeBlock fenced:
                builder.AddCode(fenced.Lines.ToString(), string.IsNullOrWhiteSpace(fenced.Info) ? null : fenced.Info);
                break;
            case CodeBlock code:
                builder.AddCode(code.Lines.ToString());
                break;
            case QuoteBlock quote:
                builder.AddQuote(string.Join(" ", quote.Descendants<LeafBlock>().Select(LeafText)));
                break;
            case MdTable table:
                builder.AddTable(table.OfType<TableRow>()
                    .Select(row => (IReadOnlyList<string>)row.OfType<TableCell>()
                        .Select(cell => string.Join(" ", cell.Descendants<LeafBlock>().Select(LeafText))).ToList())
                    .ToList());
                break;
            case HtmlBlock html:
                HtmlParser.EmitFragment(builder, html.Lines.ToString(), CancellationToken.None);
                break;
            case ContainerBlock container:
                foreach (var child in container) EmitBlock(builder, child, listDepth);
                break;
            case LeafBlock leaf when block is not ThematicBreakBlock:
                builder.AddParagraph(LeafText(leaf));
                break;
        }
    }

    private static void EmitList(DocumentBuilder builder, ListBlock list, int depth)
    {
        var ordinal = int.TryParse(list.OrderedStart, out var start) ? start : 1;
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var marker = list.IsOrdered ? $"{ordinal++}." : "-";
            var text = new StringBuilder();
            var emitted = false;
            foreach (var child in item)
            {
                if (child is ParagraphBlock paragraph)
                {
                    text.Append(' ').Append(InlineText(paragraph.Inline));
                    continue;
                }
                if (!emitted) builder.AddListItem(text.ToString(), depth, marker);
                emitted = true;
                text.Clear();
                if (child is ListBlock nested) EmitList(builder, nested, depth + 1);
                else EmitBlock(builder, child, depth + 1);
            }
            if (!emitted) builder.AddListItem(text.ToString(), depth, marker);
            else if (text.Length > 0) builder.AddListItem(text.ToString(), depth + 1, "-");
        }
    }

    private static string LeafText(LeafBlock leaf) => leaf.Inline is null ? leaf.Lines.ToString() : InlineText(leaf.Inline);

    internal static string InlineText(ContainerInline? container)
    {
        var sb = new StringBuilder();
        AppendInline(sb, container);
        return sb.ToString();
    }

    private static void AppendInline(StringBuilder sb, Inline? inline)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                sb.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                sb.Append('`').Append(code.Content).Append('`');
                break;
            case AutolinkInline autolink:
                sb.Append(autolink.Url);
                break;
            case LineBreakInline:
                sb.Append(' ');
                break;
            case HtmlEntityInline entity:
                sb.Append(entity.Transcoded.AsSpan());
                break;
            case HtmlInline:
                break;
            case ContainerInline container:
                for (var child = container.FirstChild; child is not null; child = child.NextSibling) AppendInline(sb, child);
                break;
        }
    }

    private static string? FrontMatterTitle(YamlFrontMatterBlock yaml)
    {
        foreach (var line in yaml.Lines.Lines)
        {
            var s = line.Slice.ToString().Trim();
            if (!s.StartsWith("title:", StringComparison.OrdinalIgnoreCase)) continue;
            var value = s["title:".Length..].Trim().Trim('"', '\'');
            return value.Length > 0 ? value : null;
        }
        return null;
    }
}
