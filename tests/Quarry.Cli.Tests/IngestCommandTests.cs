using System.Text.Json;
using Quarry.Cli.Tests.TestSupport;
using Quarry.Core.Tests.TestSupport;

namespace Quarry.Cli.Tests;

public sealed class IngestCommandTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    [Fact]
    public async Task Ingesting_the_fastapi_docs_twice_is_idempotent()
    {
        var docs = SharedData.Path("datasets", "kb-fastapi-docs", "docs");

        var first = await _quarry.RunAsync("ingest", docs, "--json");
        first.ExitCode.Should().Be(0, first.ToString());
        var report = first.Json;
        report.GetProperty("documents").GetInt32().Should().Be(155);
        report.GetProperty("created").GetInt32().Should().Be(155);
        report.GetProperty("chunks").GetInt32().Should().BeGreaterThan(155);
        report.GetProperty("failed").GetArrayLength().Should().Be(0);

        var second = await _quarry.RunAsync("ingest", docs, "--json");
        second.ExitCode.Should().Be(0, second.ToString());
        second.Json.GetProperty("documents").GetInt32().Should().Be(155);
        second.Json.GetProperty("unchanged").GetInt32().Should().Be(155);
        second.Json.GetProperty("created").GetInt32().Should().Be(0);
        second.Json.GetProperty("replaced").GetInt32().Should().Be(0);
        second.Json.GetProperty("chunks").GetInt32().Should().Be(0);

        var list = await _quarry.RunAsync("docs", "list", "--json");
        list.ExitCode.Should().Be(0, list.ToString());
        list.Json.GetProperty("total").GetInt32().Should().Be(155);
    }

    [Fact]
    public async Task A_changed_file_replaces_its_previous_version()
    {
        var file = Path.Combine(_quarry.WorkDirectory, "policy.md");
        await File.WriteAllTextAsync(file, "# Refunds\n\nRefunds are issued within 14 days.\n");
        (await _quarry.RunAsync("ingest", file, "--json")).Json.GetProperty("created").GetInt32().Should().Be(1);

        await File.WriteAllTextAsync(file, "# Refunds\n\nRefunds are issued within 30 days of purchase.\n");
        var replaced = await _quarry.RunAsync("ingest", file, "--json");
        replaced.Json.GetProperty("replaced").GetInt32().Should().Be(1, replaced.ToString());

        var list = (await _quarry.RunAsync("docs", "list", "--json")).Json;
        var id = list.GetProperty("items")[0].GetProperty("id").GetString()!;
        var show = await _quarry.RunAsync("docs", "show", id, "--json");
        show.ExitCode.Should().Be(0, show.ToString());
        var json = show.Json;
        json.GetProperty("document").GetProperty("version").GetInt32().Should().Be(2);
        json.GetProperty("versions").GetArrayLength().Should().Be(2);
        var texts = json.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToList();
        texts.Should().Contain(t => t!.Contains("30 days", StringComparison.Ordinal));
        texts.Should().NotContain(t => t!.Contains("14 days", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_files_are_reported_one_by_one_and_the_rest_of_the_batch_lands()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "batch");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "good.md"), "# Good\n\nThis one is fine.\n");
        await File.WriteAllBytesAsync(Path.Combine(dir, "empty.txt"), []);
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(Path.Combine(dir, "garbage.txt"), garbage);
        await File.WriteAllBytesAsync(Path.Combine(dir, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x20, 0x6F, 0x6B, 0x0A]);
        await File.WriteAllBytesAsync(Path.Combine(dir, "picture.png"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(dir, "archive.7z"), [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4]);
        var pdf = await File.ReadAllBytesAsync(SharedData.Path("datasets", "parser-testdata", "pdf", "sources", "multi_page.pdf"));
        await File.WriteAllBytesAsync(Path.Combine(dir, "truncated.pdf"), pdf[..(pdf.Length / 3)]);
        // A sparse file: 3 GB on paper, no disk used; it must be refused by size without being read.
        await using (var huge = new FileStream(Path.Combine(dir, "huge.txt"), FileMode.Create))
            huge.SetLength(3L * 1024 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(dir, "bomb.docx"), ZipBomb(uncompressedBytes: 64L * 1024 * 1024));
        var encrypted = Path.Combine(dir, "encrypted.pdf");
        await RunQpdfAsync("--encrypt", "user-pw", "owner-pw", "256", "--",
            SharedData.Path("datasets", "parser-testdata", "pdf", "sources", "multi_page.pdf"), encrypted);
        var outside = Path.Combine(_quarry.WorkDirectory, "outside-secret.txt");
        await File.WriteAllTextAsync(outside, "secret");
        File.CreateSymbolicLink(Path.Combine(dir, "escape.txt"), outside);

        _quarry.WithEnvironment("QUARRY_Parsing__MaxUncompressedBytes", (32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await _quarry.RunAsync("ingest", dir, "--json");

        result.ExitCode.Should().Be(1, result.ToString());
        var report = result.Json;
        report.GetProperty("documents").GetInt32().Should().Be(1);
        var failures = report.GetProperty("failed").EnumerateArray()
            .ToDictionary(f => Path.GetFileName(f.GetProperty("path").GetString()!), f => f.GetProperty("reason").GetString());
        failures.Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            ["empty.txt"] = "empty",
            ["garbage.txt"] = "binary",
            ["latin1.txt"] = "invalid-encoding",
            ["picture.png"] = "corrupt",
            ["archive.7z"] = "unsupported-type",
            ["truncated.pdf"] = "corrupt",
            ["huge.txt"] = "too-large",
            ["escape.txt"] = "path-outside-root",
            ["bomb.docx"] = "too-large",
            ["encrypted.pdf"] = "encrypted",
        });
        report.GetProperty("failed").EnumerateArray().Should().OnlyContain(f => f.GetProperty("error").GetString()!.Length > 0);

        var list = (await _quarry.RunAsync("docs", "list", "--json")).Json;
        list.GetProperty("total").GetInt32().Should().Be(1, "nothing half-written stays in the store");
    }

    /// <summary>A DOCX-shaped zip whose one part inflates to <paramref name="uncompressedBytes"/> of zeros.</summary>
    private static byte[] ZipBomb(long uncompressedBytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("word/document.xml", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < uncompressedBytes; written += zeros.Length) entry.Write(zeros);
        }
        return buffer.ToArray();
    }

    private static async Task RunQpdfAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("qpdf") { RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException("qpdf is required for this test: apt-get install qpdf");
        await process.WaitForExitAsync();
        // 3 = succeeded with warnings (the shared PDFs have quirks qpdf repairs).
        process.ExitCode.Should().BeOneOf([0, 3], await process.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task A_missing_pdftotext_is_named_with_the_package_to_install()
    {
        // pdftotext is opt-in (the default engine is managed): only then can it be missing.
        _quarry.WithEnvironment("QUARRY_Parsing__PdfEngine", "PdfToText");
        _quarry.WithEnvironment("QUARRY_Parsing__PdfToTextPath", "/nonexistent/pdftotext");
        var pdf = SharedData.Path("datasets", "parser-testdata", "pdf", "sources", "multi_page.pdf");

        var result = await _quarry.RunAsync("ingest", pdf, "--json");

        var failure = result.Json.GetProperty("failed")[0];
        failure.GetProperty("reason").GetString().Should().Be("tool-missing");
        failure.GetProperty("error").GetString().Should().Contain("poppler-utils");
    }

    [Fact]
    public async Task Invalid_configuration_is_refused_at_start_up_with_a_clear_message()
    {
        _quarry.WithEnvironment("QUARRY_Chunking__MaxTokens", "50");

        var result = await _quarry.RunAsync("ingest", _quarry.WorkDirectory, "--json");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().Contain("MaxTokens");
        result.Stderr.Should().NotContain("   at ", "users get a sentence, not a stack trace");
    }

    [Fact]
    public async Task Plain_output_prints_a_line_per_document_when_not_on_a_terminal()
    {
        var file = Path.Combine(_quarry.WorkDirectory, "a.txt");
        await File.WriteAllTextAsync(file, "Plain text paragraph.");

        var result = await _quarry.RunAsync("ingest", file, "--tag", "team=support", "--kb", "help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Contain("[1/1] created").And.Contain("1 documents in 'help'");
        var list = (await _quarry.RunAsync("docs", "list", "--kb", "help", "--tag", "team=support", "--json")).Json;
        list.GetProperty("total").GetInt32().Should().Be(1);
        var other = (await _quarry.RunAsync("docs", "list", "--kb", "help", "--tag", "team=sales", "--json")).Json;
        other.GetProperty("total").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task A_jsonl_corpus_ingests_one_document_per_record()
    {
        var corpus = Path.Combine(_quarry.WorkDirectory, "corpus.jsonl");
        await File.WriteAllLinesAsync(corpus,
        [
            """{"_id":"1","title":"Vitamin D","text":"Vitamin D deficiency is common in winter."}""",
            """{"_id":"2","title":"Sleep","text":"Adults need seven hours of sleep."}""",
            """{"_id":"2","title":"Dup","text":"duplicate id"}""",
            """not json""",
        ]);

        var result = await _quarry.RunAsync("ingest", corpus, "--records", "--json");

        result.Json.GetProperty("documents").GetInt32().Should().Be(2, result.ToString());
        result.Json.GetProperty("failed").GetArrayLength().Should().Be(2);
        var titles = (await _quarry.RunAsync("docs", "list", "--json")).Json.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("title").GetString());
        titles.Should().BeEquivalentTo("Vitamin D", "Sleep");
    }
}
