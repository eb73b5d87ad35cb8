namespace Quarry.Parsing;

/// <summary>
/// Copies a parsed document's blocks into another builder (an email's body or attachment into the email), headings
/// pushed down by <c>shift</c> levels so they nest under the section that introduces them.
/// </summary>
internal static class DocumentAppender
{
    public static void Append(DocumentBuilder builder, ParsedDocument document, int shift)
    {
        var page = builder.CurrentPage;
        foreach (var block in document.Blocks)
        {
            var text = document.TextOf(block);
            builder.CurrentPage = block.Page ?? page;
            switch (block.Kind)
            {
                case BlockKind.Heading:
                    builder.AddHeading(text.TrimStart('#').Trim(), block.Level + shift);
                    break;
                case BlockKind.ListItem:
                    var item = text.TrimStart();
                    var space = item.IndexOf(' ', StringComparison.Ordinal);
                    builder.AddListItem(space > 0 ? item[(space + 1)..] : item, block.Level, space > 0 ? item[..space] : "-");
                    break;
                case BlockKind.Quote:
                    builder.EndList().AddQuote(text.StartsWith("> ", StringComparison.Ordinal) ? text[2..] : text);
                    break;
                case BlockKind.Code:
                    var lines = text.Split('\n');
                    var language = lines[0].TrimStart('`', '~');
                    builder.EndList().AddCode(string.Join('\n', lines[1..^1]), language.Length > 0 ? language : null);
                    break;
                case BlockKind.Table:
                    builder.EndList().AddTable(TableRows(text));
                    break;
                default:
                    builder.EndList().AddParagraph(text);
                    break;
            }
        }
        builder.EndList();
        builder.CurrentPage = page;
    }

    /// <summary>Reads back the pipe table <see cref="DocumentBuilder.AddTable"/> wrote (header, rule, rows).</summary>
    private static List<IReadOnlyList<string>> TableRows(string table)
    {
        var rows = new List<IReadOnlyList<string>>();
        var lines = table.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (i == 1) continue;
            var line = lines[i].Trim();
            if (line.StartsWith('|')) line = line[1..];
            if (line.EndsWith('|') && !line.EndsWith("\\|", StringComparison.Ordinal)) line = line[..^1];
            var cells = new List<string>();
            var cell = new System.Text.StringBuilder();
            for (var k = 0; k < line.Length; k++)
            {
                if (line[k] == '\\' && k + 1 < line.Length && line[k + 1] == '|') { cell.Append('|'); k++; continue; }
                if (line[k] == '|') { cells.Add(cell.ToString().Trim()); cell.Clear(); continue; }
                cell.Append(line[k]);
            }
            cells.Add(cell.ToString().Trim());
            rows.Add(cells);
        }
        return rows;
    }
}
