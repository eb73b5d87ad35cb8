using System.Globalization;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// Spreadsheets: one heading per sheet and its used range as one table (empty rows and columns dropped, first non-empty
/// row as header). The ZIP is checked for bombs first; then each sheet part is streamed cell by cell with
/// <see cref="BoundedXml"/>, every value charged to the document's budget as it is read, so memory follows the
/// extraction caps rather than the inflated XML (ExcelDataReader, used before, held the whole workbook model).
/// </summary>
internal sealed class XlsxParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private const int MaxColumns = 512;

    public IReadOnlyCollection<string> Extensions { get; } = [".xlsx", ".xlsm"];
    public IReadOnlyCollection<string> ContentTypes { get; } =
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel.sheet.macroEnabled.12"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, limits.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        ZipGuard.Check(bytes, input.FileName, limits.MaxUncompressedBytes);
        var budget = ExtractionBudget.Current ?? new ExtractionBudget(limits.MaxExtractedChars, limits.MaxElements, cancellationToken);

        var builder = new DocumentBuilder();
        try
        {
            using var spreadsheet = SpreadsheetDocument.Open(new MemoryStream(bytes, writable: false), false);
            var workbookPart = spreadsheet.WorkbookPart
                ?? throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' has no workbook.");
            var workbook = XlsxWorkbook.Read(workbookPart, new ExtractionBudget(limits.MaxExtractedChars, limits.MaxElements, cancellationToken), input.FileName);
            foreach (var (name, part) in workbook.Sheets)
            {
                var table = Trim(ReadRows(part, workbook, budget, input.FileName));
                if (table.Count == 0) continue;
                builder.AddHeading(name, 2);
                builder.AddTable(table);
            }
        }
        catch (Exception ex) when (ex is DocumentFormat.OpenXml.Packaging.OpenXmlPackageException or InvalidDataException or XmlException
                                       or FileFormatException or IOException)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' is not a readable spreadsheet.", ex);
        }
        return builder.Build(fallbackTitle: ParserInputReader.FallbackTitle(input.FileName));
    }

    /// <summary>The sheet's rows, cells placed by their reference (A1) or, without one, after the previous cell. Rows
    /// are held until the sheet ends (empty columns are known only then): the budget bounds them, not the file.</summary>
    private static List<List<string>> ReadRows(WorksheetPart part, XlsxWorkbook workbook, ExtractionBudget budget, string fileName)
    {
        var rows = new List<List<string>>();
        List<string>? row = null;
        using var reader = BoundedXml.Open(part.GetStream(FileMode.Open, FileAccess.Read));
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element) continue;
            switch (reader.LocalName)
            {
                case "row":
                    budget.ChargeElements(1);
                    row = [];
                    rows.Add(row);
                    break;
                case "c" when row is not null:
                    budget.ChargeElements(1);
                    var column = ColumnOf(BoundedXml.Attribute(reader, "r")) ?? row.Count;
                    var value = Cell(reader, workbook, budget, fileName);
                    if (column >= MaxColumns || value.Length == 0) break;
                    while (row.Count <= column) row.Add("");
                    row[column] = value;
                    break;
            }
        }
        return rows;
    }

    /// <summary>One cell's display value; the reader is on <c>&lt;c&gt;</c> and is left on its end.</summary>
    private static string Cell(XmlReader reader, XlsxWorkbook workbook, ExtractionBudget budget, string fileName)
    {
        var type = BoundedXml.Attribute(reader, "t") ?? "n";
        var style = int.TryParse(BoundedXml.Attribute(reader, "s"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : -1;
        if (reader.IsEmptyElement) return "";
        string? raw = null;
        string? inline = null;
        var depth = reader.Depth;
        var more = reader.Read();
        while (more && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName is not ("v" or "is") && !reader.IsEmptyElement)
            {
                // Formulas (f) are not shown, their cached value (v) is. Skip lands on the next node already.
                reader.Skip();
                more = !reader.EOF;
                continue;
            }
            // Values are charged while read, so one huge cell is stopped at the cap.
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "v") raw = BoundedXml.ReadText(reader, budget.ChargeChars);
            else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "is") inline = BoundedXml.ReadText(reader, budget.ChargeChars, textElement: "t", skip: "rPh");
            more = reader.Read();
        }
        return type switch
        {
            "s" => SharedString(raw, workbook, budget),
            "inlineStr" => (inline ?? raw ?? "").Trim(),
            "b" => raw is null ? "" : raw.Trim() == "1" ? "TRUE" : "FALSE",
            "str" or "e" or "d" => (raw ?? "").Trim(),
            _ => Number(raw, workbook.DateStyles.Contains(style)),
        };
    }

    /// <summary>A shared string's value, charged here: the table itself is capped apart, not as extracted text.</summary>
    private static string SharedString(string? raw, XlsxWorkbook workbook, ExtractionBudget budget)
    {
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || index >= workbook.SharedStrings.Count) return "";
        var value = workbook.SharedStrings[index].Trim();
        budget.ChargeChars(value.Length);
        return value;
    }

    private static string Number(string? raw, bool isDate)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return raw?.Trim() ?? "";
        if (isDate && number is >= -657435 and < 2958466)
        {
            var date = DateTime.FromOADate(number);
            return date.TimeOfDay == TimeSpan.Zero
                ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }
        return number.ToString("G15", CultureInfo.InvariantCulture);
    }

    /// <summary>Zero-based column of a cell reference ("C7" → 2); null without one.</summary>
    private static int? ColumnOf(string? reference)
    {
        if (string.IsNullOrEmpty(reference)) return null;
        var column = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z') column = column * 26 + (c - 'A' + 1);
            else if (c is >= 'a' and <= 'z') column = column * 26 + (c - 'a' + 1);
            else break;
            if (++letters > 3) return MaxColumns;
        }
        return letters == 0 ? null : column - 1;
    }

    /// <summary>Drops rows and columns with no content anywhere.</summary>
    private static List<IReadOnlyList<string>> Trim(List<List<string>> rows)
    {
        var kept = rows.Where(r => r.Exists(c => c.Length > 0)).ToList();
        if (kept.Count == 0) return [];
        var width = kept.Max(r => r.Count);
        var columns = Enumerable.Range(0, width).Where(c => kept.Exists(r => c < r.Count && r[c].Length > 0)).ToList();
        return kept.Select(r => (IReadOnlyList<string>)columns.Select(c => c < r.Count ? r[c] : "").ToList()).ToList();
    }
}
