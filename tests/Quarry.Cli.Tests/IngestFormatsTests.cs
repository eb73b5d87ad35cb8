using Quarry.Cli.Tests.TestSupport;
using Quarry.Core.Tests.TestSupport;

namespace Quarry.Cli.Tests;

/// <summary>`quarry ingest` on a folder with one file of each format added for issue 13, then a search for a word of
/// each: PowerPoint, an image read by OCR, source code and an email with an attachment.</summary>
public sealed class IngestFormatsTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    [Fact]
    public async Task Pptx_image_code_and_email_are_ingested_and_searchable()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "formats");
        Directory.CreateDirectory(dir);
        File.Copy(SharedData.Path("datasets", "parser-testdata", "pptx", "sources", "powerpoint_sample.pptx"), Path.Combine(dir, "deck.pptx"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ocr-sample.png"), Path.Combine(dir, "scan.png"));
        await File.WriteAllTextAsync(Path.Combine(dir, "ledger.py"), """
            class Ledger:
                def reconcile(self, entries):
                    '''Match every debit against its credit.'''
                    return [e for e in entries if e.amount]
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "escalation.eml"), """
            From: alice@example.com
            To: support@example.com
            Subject: Escalation rules
            Date: Tue, 14 Jan 2025 09:30:00 +0100
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="B"

            --B
            Content-Type: text/plain

            See the attached rules.
            --B
            Content-Type: text/plain
            Content-Disposition: attachment; filename="rules.txt"

            Disputes above the threshold go to the arbitration panel.
            --B--
            """.ReplaceLineEndings("\r\n"));

        var result = await _quarry.RunAsync("ingest", dir, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json.GetProperty("created").GetInt32().Should().Be(5, "four files and the email's attachment as a child document: " + result);
        result.Json.GetProperty("failed").GetArrayLength().Should().Be(0);

        var slide = await TopResultAsync("rectangle shape");
        slide.Title.Should().Be("Test Table Slide");
        slide.Section.Should().Equal("Second slide title");
        (await TopResultAsync("Christopher Latham Sholes")).Title.Should().Be("The Evolution of the Word Processor");
        var code = await TopResultAsync("reconcile debit credit");
        code.Title.Should().Be("ledger.py");
        code.Section.Should().Equal("Ledger", "reconcile");
        (await TopResultAsync("arbitration panel")).Title.Should().Be("rules", "the attachment is a document of its own");
        var bySender = (await _quarry.RunAsync("docs", "list", "--tag", "email.from=alice@example.com", "--json")).Json;
        bySender.GetProperty("total").GetInt32().Should().Be(2, "an email's sender tags the email and its attachment");
    }

    private async Task<(string? Title, string?[] Section)> TopResultAsync(string query)
    {
        var search = await _quarry.RunAsync("search", query, "--json");
        search.ExitCode.Should().Be(0, search.ToString());
        var first = search.Json.GetProperty("results")[0];
        return (first.GetProperty("title").GetString(), first.GetProperty("section").EnumerateArray().Select(s => s.GetString()).ToArray());
    }
}
