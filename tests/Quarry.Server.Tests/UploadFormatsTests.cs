using System.Net;
using System.Text;
using System.Text.Json;
using Quarry.Core.Tests.TestSupport;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>HTTP uploads of the formats added for issue 13, with the media types browsers send, through the real server.</summary>
public sealed class UploadFormatsTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly HttpClient _admin = fixture.Client(fixture.Admin);
    private readonly HttpClient _reader = fixture.Client(fixture.Reader);

    [Fact]
    public async Task Pptx_png_eml_and_code_uploads_are_ingested_with_slide_numbers_as_pages()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-formats");
        var deck = await File.ReadAllBytesAsync(SharedData.Path("datasets", "parser-testdata", "pptx", "sources", "powerpoint_sample.pptx"));
        var png = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ocr-sample.png"));
        var eml = """
            From: ops@example.com
            Subject: Rotation schedule
            Content-Type: text/plain

            The pager rotates every Wednesday at noon.
            """.ReplaceLineEndings("\r\n");
        var code = "export class Pager {\n  rotate(day: string): string {\n    return `handover on ${day}`;\n  }\n}\n";

        await UploadAsync("deck.pptx", deck, "application/vnd.openxmlformats-officedocument.presentationml.presentation");
        await UploadAsync("scan.png", png, "image/png");
        await UploadAsync("rotation.eml", Encoding.UTF8.GetBytes(eml), "message/rfc822");
        // Browsers label .ts files as MPEG transport streams; the extension decides.
        await UploadAsync("pager.ts", Encoding.UTF8.GetBytes(code), "video/mp2t");

        var notes = await TopAsync("notes on the second slide");
        notes.GetProperty("title").GetString().Should().Be("Test Table Slide");
        notes.GetProperty("pageStart").GetInt32().Should().Be(2);
        notes.GetProperty("text").GetString().Should().Contain("Notes: Some notes on the second slide.");
        (await TopAsync("Christopher Latham Sholes")).GetProperty("pageStart").GetInt32().Should().Be(1);
        (await TopAsync("pager rotates Wednesday")).GetProperty("title").GetString().Should().Be("Rotation schedule");
        var method = await TopAsync("handover");
        method.GetProperty("section").EnumerateArray().Select(s => s.GetString()).Should().Equal("Pager", "rotate");
    }

    [Fact]
    public async Task Code_sent_as_text_plain_or_octet_stream_is_sectioned_by_its_extension()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-code");
        var python = "class Ledger:\n    def reconcile(self, day):\n        return f'ledger reconciled on {day}'\n";
        var go = "package billing\n\nfunc Invoice(total int) string {\n\treturn \"invoice totals are rounded upward\"\n}\n";

        await UploadAsync("ledger.py", Encoding.UTF8.GetBytes(python), "text/plain", "kb-code");
        await UploadAsync("invoice.go", Encoding.UTF8.GetBytes(go), "application/octet-stream", "kb-code");

        (await TopAsync("ledger reconciled", "kb-code")).GetProperty("section").EnumerateArray().Select(s => s.GetString())
            .Should().Equal("Ledger", "reconcile");
        (await TopAsync("invoice totals rounded upward", "kb-code")).GetProperty("section").EnumerateArray().Select(s => s.GetString())
            .Should().Equal("Invoice");
    }

    private async Task UploadAsync(string fileName, byte[] content, string contentType, string kb = "kb-formats")
    {
        var accepted = await (await _admin.UploadFileAsync(kb, fileName, content, contentType)).JsonAsync(HttpStatusCode.Accepted);
        var job = await _reader.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!);
        job.GetProperty("status").GetString().Should().Be("succeeded", job.ToString());
    }

    private async Task<JsonElement> TopAsync(string query, string kb = "kb-formats")
    {
        var search = await (await _reader.PostJsonAsync("/v1/search", new { query, knowledgeBase = kb, topK = 3 })).JsonAsync(HttpStatusCode.OK);
        search.GetProperty("results").GetArrayLength().Should().BeGreaterThan(0, query);
        return search.GetProperty("results")[0];
    }
}
