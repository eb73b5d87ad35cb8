using Quarry.Core.Tests.TestSupport;
using Quarry.Parsing;
using Xunit.Abstractions;

namespace Quarry.Core.Tests.Parsing;

/// <summary>
/// Parses every shared source file of a format and compares it with the reference Markdown (token-multiset F1, see
/// <see cref="TextSimilarity"/>). The floors sit a little below the measured means and minimums.
/// </summary>
public sealed class GroundTruthSimilarityTests(ITestOutputHelper output)
{
    // keepsTables: pdftotext yields text without table structure, so PDF tables are not checked for Table blocks.
    [Theory]
    [InlineData("md", 0.92, 0.75, true)]
    [InlineData("html", 0.92, 0.45, true)]
    [InlineData("docx", 0.91, 0.30, true)]
    [InlineData("pdf", 0.92, 0.72, false, PdfEngine.PdfToText)]
    [InlineData("pdf", 0.92, 0.72, false, PdfEngine.Managed)]
    [InlineData("csv", 0.98, 0.95, true)]
    [InlineData("xlsx", 0.85, 0.55, true)]
    [InlineData("pptx", 0.92, 0.70, true)]
    public async Task Parsed_text_matches_the_reference_markdown(string format, double meanFloor, double minFloor, bool keepsTables, PdfEngine pdfEngine = PdfEngine.Auto)
    {
        if (!SharedData.Available)
        {
            output.WriteLine("SKIPPED: ../shared is absent (set QUARRY_SHARED); no ground truth to compare with.");
            return;
        }
        var selector = ParsingTestHost.CreateSelector(o => o.PdfEngine = pdfEngine);
        var scores = new List<(string File, double Score)>();
        var tableFailures = new List<string>();
        foreach (var source in Sources(format))
        {
            var groundTruth = GroundTruth(format, source);
            if (groundTruth is null) continue;
            var expected = await File.ReadAllTextAsync(groundTruth);
            var document = await selector.ParseFileAsync(source);
            scores.Add((Path.GetFileName(source), TextSimilarity.TokenF1(expected, document.Text)));

            var hasPipeTable = expected.Contains("| - |", StringComparison.Ordinal) || expected.Contains("|---", StringComparison.Ordinal);
            if (keepsTables && hasPipeTable && !ChartTables.Contains(Path.GetFileName(source)))
            {
                var table = document.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Table);
                var rowsArePipeRows = table is not null && document.TextOf(table).Split('\n').All(l => l.StartsWith('|') && l.EndsWith('|'));
                if (!rowsArePipeRows) tableFailures.Add(Path.GetFileName(source));
            }
        }

        foreach (var (file, score) in scores.OrderBy(s => s.Score)) output.WriteLine($"{file,-50} {score:F3}");
        var mean = scores.Average(s => s.Score);
        var min = scores.Min(s => s.Score);
        output.WriteLine($"| format | files | mean F1 | min F1 |");
        output.WriteLine($"| {format} | {scores.Count} | {mean:F3} | {min:F3} |");

        scores.Should().NotBeEmpty();
        tableFailures.Should().BeEmpty("tables in the reference must stay tables (pipe rows in a Table block)");
        mean.Should().BeGreaterThanOrEqualTo(meanFloor);
        min.Should().BeGreaterThanOrEqualTo(minFloor);
    }

    // Tables in these references are the data behind embedded charts, which the parsers do not read.
    private static readonly HashSet<string> ChartTables = ["drawingml.docx"];

    /// <summary>References are named "file.ext.md" (most formats) or "file.md" (PDF).</summary>
    private static string? GroundTruth(string format, string source)
    {
        var folder = SharedData.Path("datasets", "parser-testdata", format, "groundtruth");
        var candidates = new[] { Path.GetFileName(source) + ".md", Path.GetFileNameWithoutExtension(source) + ".md" };
        return candidates.Select(c => Path.Combine(folder, c)).FirstOrDefault(File.Exists);
    }

    private static IEnumerable<string> Sources(string format) =>
        Directory.EnumerateFiles(SharedData.Path("datasets", "parser-testdata", format, "sources")).Order(StringComparer.Ordinal);
}
