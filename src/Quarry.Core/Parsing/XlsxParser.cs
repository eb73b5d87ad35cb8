using System.Globalization;
using System.Text;
using ExcelDataReader;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// Spreadsheets via ExcelDataReader: one heading per sheet and its used range as one table (empty rows and columns
/// dropped, first non-empty row as header). The ZIP is checked for bombs first.
/// </summary>
internal sealed class XlsxParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private const int MaxColumns = 512;

    static XlsxParser() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public IReadOnlyCollection<string> Extensions { get; } = [".xlsx", ".xlsm"];
    public IReadOnlyCollection<string> ContentTypes { get; } =
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel.sheet.macroEnabled.12"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        ZipGuard.Check(bytes, input.FileName, options.Value.MaxUncompressedBytes);

        var builder = new DocumentBuilder();
        try
        {
            using var reader = ExcelReaderFactory.CreateOpenXmlReader(new MemoryStream(bytes, writable: false));
            do
            {
                var rows = new List<string[]>();
                while (reader.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var width = Math.Min(reader.FieldCount, MaxColumns);
                    var row = new string[width];
                    long chars = 0;
                    for (var c = 0; c < width; c++) chars += (row[c] = Format(reader.GetValue(c))).Length;
                    // Counted as read: rows are held until the sheet ends, so the budget bounds them, not the file.
                    ExtractionBudget.Current?.ChargeChars(chars + width);
                    ExtractionBudget.Current?.ChargeElements(width + 1);
                    rows.Add(row);
                }
                var table = Trim(rows);
                if (table.Count == 0) continue;
                builder.AddHeading(reader.Name, 2);
                builder.AddTable(table);
            }
            while (reader.NextResult());
        }
        catch (Exception ex) when (ex is ExcelDataReader.Exceptions.ExcelReaderException or InvalidDataException or System.Xml.XmlException)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' is not a readable spreadsheet.", ex);
        }
        return builder.Build(fallbackTitle: ParserInputReader.FallbackTitle(input.FileName));
    }

    /// <summary>Drops rows and columns with no content anywhere.</summary>
    private static List<IReadOnlyList<string>> Trim(List<string[]> rows)
    {
        var kept = rows.Where(r => Array.Exists(r, c => c.Length > 0)).ToList();
        if (kept.Count == 0) return [];
        var width = kept.Max(r => r.Length);
        var columns = Enumerable.Range(0, width).Where(c => kept.Exists(r => c < r.Length && r[c].Length > 0)).ToList();
        return kept.Select(r => (IReadOnlyList<string>)columns.Select(c => c < r.Length ? r[c] : "").ToList()).ToList();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s.Trim(),
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double n => n.ToString("G15", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
