using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace Quarry.Parsing;

/// <summary>
/// The parts of a workbook a sheet's cells refer to, each read forward-only with <see cref="BoundedXml"/>: the sheet
/// list (names in tab order), the shared-string table and which cell styles are dates. The shared strings are the one
/// thing held for the whole parse (cells index into them), so they are capped like extracted text.
/// </summary>
internal sealed class XlsxWorkbook
{
    private static readonly HashSet<int> BuiltInDateFormats = [14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58];

    private XlsxWorkbook(IReadOnlyList<(string Name, WorksheetPart Part)> sheets, IReadOnlyList<string> sharedStrings, IReadOnlySet<int> dateStyles)
    {
        Sheets = sheets;
        SharedStrings = sharedStrings;
        DateStyles = dateStyles;
    }

    public IReadOnlyList<(string Name, WorksheetPart Part)> Sheets { get; }

    public IReadOnlyList<string> SharedStrings { get; }

    /// <summary>Indexes of cell formats (a cell's <c>s</c>) whose number format shows a date or time.</summary>
    public IReadOnlySet<int> DateStyles { get; }

    /// <param name="limits">Caps the shared strings (characters and count) on their own: they are text available to the
    /// cells, not text extracted yet, so they are not charged to the document's budget.</param>
    public static XlsxWorkbook Read(WorkbookPart workbook, ExtractionBudget limits, string fileName)
    {
        var sheets = new List<(string, WorksheetPart)>();
        using (var reader = BoundedXml.Open(workbook.GetStream(FileMode.Open, FileAccess.Read)))
        {
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "sheet") continue;
                limits.ChargeElements(1);
                var id = BoundedXml.Attribute(reader, "id", prefixed: true);
                // Chart sheets and dialog sheets have no cells.
                if (id is not null && workbook.TryGetPartById(id, out var part) && part is WorksheetPart worksheet)
                    sheets.Add((BoundedXml.Attribute(reader, "name") ?? $"Sheet{sheets.Count + 1}", worksheet));
            }
        }
        return new XlsxWorkbook(sheets, SharedStringsOf(workbook, limits, fileName), DateStylesOf(workbook, limits));
    }

    private static List<string> SharedStringsOf(WorkbookPart workbook, ExtractionBudget limits, string fileName)
    {
        try
        {
            return SharedStringsOf(workbook, limits);
        }
        catch (DocumentRejectedException ex) when (ex.Reason == RejectionReason.TooLarge)
        {
            throw new DocumentRejectedException(RejectionReason.TooLarge, $"'{fileName}' has a shared-string table over the limit: {ex.Message}", ex);
        }
    }

    private static List<string> SharedStringsOf(WorkbookPart workbook, ExtractionBudget limits)
    {
        var strings = new List<string>();
        if (workbook.SharedStringTablePart is not { } part) return strings;
        using var reader = BoundedXml.Open(part.GetStream(FileMode.Open, FileAccess.Read));
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "si") continue;
            limits.ChargeElements(1);
            // Rich text runs are concatenated; phonetic guides (rPh) are not part of the value.
            strings.Add(BoundedXml.ReadText(reader, limits.ChargeChars, textElement: "t", skip: "rPh"));
        }
        return strings;
    }

    private static HashSet<int> DateStylesOf(WorkbookPart workbook, ExtractionBudget limits)
    {
        var dates = new HashSet<int>();
        if (workbook.WorkbookStylesPart is not { } part) return dates;
        var customDates = new HashSet<int>();
        var inCellFormats = false;
        var index = 0;
        using var reader = BoundedXml.Open(part.GetStream(FileMode.Open, FileAccess.Read));
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs") inCellFormats = false;
            if (reader.NodeType != XmlNodeType.Element) continue;
            limits.ChargeElements(1);
            switch (reader.LocalName)
            {
                case "numFmt" when int.TryParse(BoundedXml.Attribute(reader, "numFmtId"), out var id) && IsDateFormat(BoundedXml.Attribute(reader, "formatCode")):
                    customDates.Add(id);
                    break;
                case "cellXfs":
                    inCellFormats = !reader.IsEmptyElement;
                    break;
                case "xf" when inCellFormats:
                    if (int.TryParse(BoundedXml.Attribute(reader, "numFmtId"), out var format) && (BuiltInDateFormats.Contains(format) || customDates.Contains(format)))
                        dates.Add(index);
                    index++;
                    break;
            }
        }
        return dates;
    }

    /// <summary>A number format shows a date or time when, outside quoted text, escapes and [colour]/[$-locale]
    /// sections, it has a day, month, year, hour or second placeholder.</summary>
    internal static bool IsDateFormat(string? code)
    {
        if (string.IsNullOrEmpty(code)) return false;
        var quoted = false;
        var bracket = false;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (quoted)
            {
                quoted = c != '"';
                continue;
            }
            if (bracket)
            {
                // [h], [mm], [ss]: elapsed time.
                if (c is 'h' or 'H' or 'm' or 'M' or 's' or 'S' && code[i - 1] == '[') return true;
                bracket = c != ']';
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case '[': bracket = true; break;
                case '\\' or '_' or '*': i++; break;
                case 'd' or 'D' or 'm' or 'M' or 'y' or 'Y' or 'h' or 'H' or 's' or 'S': return true;
            }
        }
        return false;
    }
}
