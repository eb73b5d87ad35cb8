using System.Text;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// Delimited text (RFC 4180 quoting) as ONE table whose first row is the header, so the chunker can split by rows and
/// repeat the header: each chunk then reads as records. The delimiter is sniffed; ragged rows are padded.
/// </summary>
internal sealed class CsvParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    public IReadOnlyCollection<string> Extensions { get; } = [".csv", ".tsv"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/csv", "text/tab-separated-values"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, input.FileName);
        var fallback = input.FileName.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        var rows = Parse(text, SniffDelimiter(text, fallback));
        var builder = new DocumentBuilder();
        builder.AddTable(rows);
        return builder.Build(fallbackTitle: ParserInputReader.FallbackTitle(input.FileName));
    }

    /// <summary>The candidate that splits the first lines into the most consistent number (&gt;1) of fields.</summary>
    internal static char SniffDelimiter(string text, char fallback)
    {
        var sample = text.Length > 64 * 1024 ? text[..(64 * 1024)] : text;
        var best = fallback;
        var bestScore = 0.0;
        foreach (var candidate in Candidates)
        {
            var counts = Parse(sample, candidate).Take(50).Select(r => r.Count).ToList();
            if (counts.Count == 0) continue;
            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (mode.Key < 2) continue;
            // Consistency matters most; more columns breaks ties (a comma inside free text is rarer than a real delimiter).
            var score = (double)mode.Count() / counts.Count * 1000 + mode.Key;
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }
        return best;
    }

    internal static List<IReadOnlyList<string>> Parse(string text, char delimiter)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else field.Append(ch);
                continue;
            }
            if (ch == '"' && field.ToString().Trim().Length == 0) { inQuotes = true; field.Clear(); fieldStarted = true; }
            else if (ch == delimiter) { row.Add(field.ToString().Trim()); field.Clear(); fieldStarted = true; }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                EndRow();
            }
            else { field.Append(ch); fieldStarted = true; }
        }
        EndRow();
        return rows;

        void EndRow()
        {
            if (fieldStarted || field.Length > 0) row.Add(field.ToString().Trim());
            if (row.Count > 0 && row.Exists(c => c.Length > 0)) rows.Add(row);
            row = [];
            field.Clear();
            fieldStarted = false;
        }
    }
}
