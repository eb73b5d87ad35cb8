using System.Text.RegularExpressions;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Chunking;

/// <summary>
/// A deliberately small, line-based Markdown reader for chunker tests: enough structure (headings, paragraphs, lists,
/// quotes, fenced code, pipe tables) to exercise the chunker on real pages without depending on the real parser.
/// </summary>
internal static partial class MarkdownFixture
{
    public static ParsedDocument Parse(string markdown, string name = "doc.md")
    {
        var builder = new DocumentBuilder();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var paragraph = new List<string>();
        void FlushParagraph()
        {
            if (paragraph.Count > 0) builder.AddParagraph(string.Join(' ', paragraph));
            paragraph.Clear();
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                FlushParagraph();
                var fence = trimmed[..3];
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].Trim().StartsWith(fence, StringComparison.Ordinal); i++) code.Add(lines[i]);
                builder.AddCode(string.Join('\n', code), trimmed[3..].Trim());
                continue;
            }
            if (trimmed.Length == 0)
            {
                FlushParagraph();
                builder.EndList();
                continue;
            }
            var heading = Heading().Match(trimmed);
            if (heading.Success)
            {
                FlushParagraph();
                builder.AddHeading(heading.Groups[2].Value, heading.Groups[1].Length);
                continue;
            }
            if (trimmed.StartsWith('|'))
            {
                FlushParagraph();
                var rows = new List<IReadOnlyList<string>>();
                for (; i < lines.Length && lines[i].Trim().StartsWith('|'); i++)
                {
                    var row = lines[i].Trim().Trim('|');
                    if (Separator().IsMatch(row)) continue;
                    rows.Add(row.Split('|').Select(c => c.Trim()).ToList());
                }
                i--;
                builder.AddTable(rows);
                continue;
            }
            var item = ListItem().Match(line);
            if (item.Success)
            {
                FlushParagraph();
                builder.AddListItem(item.Groups[3].Value, item.Groups[1].Length / 2, item.Groups[2].Value);
                continue;
            }
            if (trimmed.StartsWith('>'))
            {
                FlushParagraph();
                builder.AddQuote(trimmed.TrimStart('>', ' '));
                continue;
            }
            paragraph.Add(trimmed);
        }
        FlushParagraph();
        return builder.Build(fallbackTitle: name);
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(\s*)([-*+]|\d+\.)\s+(.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^[\s|:-]+$")]
    private static partial Regex Separator();
}
