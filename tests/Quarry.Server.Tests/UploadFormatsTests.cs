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

    [Fact]
    public async Task Email_attachments_are_child_documents_replaced_with_the_email_and_deleted_with_it()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-mail");
        await UploadAsync("rules.eml", Email(("rules.md", "# Disputes\n\nDisputes above the threshold go to the arbitration panel.\n"),
            ("blob.bin", "\u0000\u0001binary")), "message/rfc822", "kb-mail");
        var first = await DocumentsAsync();
        var email = first.Single(d => d.ParentId is null);
        first.Where(d => d.ParentId is not null).Select(d => (d.Title, d.ParentId)).Should().Equal([("Disputes", email.Id)],
            "one document per parseable attachment, linked to the email");

        await UploadAsync("rules.eml", Email(("terms.txt", "Refunds are issued within forty-five days.\n")), "message/rfc822", "kb-mail");
        var second = await DocumentsAsync();
        second.Where(d => d.ParentId == email.Id).Select(d => d.Title).Should().Equal(["terms"], "a re-ingest replaces the children");
        (await TopAsync("refunds forty-five days", "kb-mail")).GetProperty("title").GetString().Should().Be("terms");

        (await _admin.DeleteAsync($"/v1/knowledge-bases/kb-mail/documents/{email.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await DocumentsAsync()).Should().BeEmpty("deleting the email deletes its attachments");
    }

    private async Task<List<(string Id, string Title, string? ParentId)>> DocumentsAsync()
    {
        var page = await (await _reader.GetAsync("/v1/knowledge-bases/kb-mail/documents")).JsonAsync(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray()
            .Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("title").GetString()!,
                d.TryGetProperty("parentId", out var parent) ? parent.GetString() : null))
            .ToList();
    }

    private static byte[] Email(params (string Name, string Content)[] attachments)
    {
        var sb = new StringBuilder("From: ops@example.com\r\nSubject: Dispute rules\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee the attached rules.\r\n");
        foreach (var (name, content) in attachments)
        {
            sb.Append("--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n")
                .Append($"Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n")
                .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(content))).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.Append("--B--\r\n").ToString());
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
