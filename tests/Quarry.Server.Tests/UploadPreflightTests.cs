using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Uploads that can only fail are refused synchronously (415/422 with the rejection reason), and multipart
/// bodies the reader cannot handle are 400, never 500.</summary>
public sealed class UploadPreflightTests(KeyedServer fixture) : IClassFixture<KeyedServer>, IAsyncLifetime
{
    private readonly HttpClient _writer = fixture.Client(fixture.Writer);

    public async Task InitializeAsync()
    {
        using var admin = fixture.Client(fixture.Admin);
        var existing = await admin.GetAsync("/v1/knowledge-bases/preflight");
        if (existing.StatusCode == HttpStatusCode.NotFound) await admin.CreateKnowledgeBaseAsync("preflight");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_type_no_parser_reads_is_415()
    {
        var problem = await (await _writer.UploadFileAsync("preflight", "slides.ppt", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2, 3], contentType: null))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        problem.GetProperty("reason").GetString().Should().Be("unsupported-type");
    }

    [Fact]
    public async Task An_empty_file_is_422()
    {
        var problem = await (await _writer.UploadFileAsync("preflight", "empty.txt", [], "text/plain"))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "document-rejected");
        problem.GetProperty("reason").GetString().Should().Be("empty");
    }

    [Fact]
    public async Task Binary_content_named_as_text_is_422()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        var problem = await (await _writer.UploadFileAsync("preflight", "notes.txt", bytes, "text/plain"))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "document-rejected");
        problem.GetProperty("reason").GetString().Should().Be("binary");
    }

    [Fact]
    public async Task A_text_file_is_still_accepted()
    {
        await (await _writer.UploadTextAsync("preflight", "fine.md", "# Fine\n\nText.")).JsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task A_boundary_longer_than_the_reader_allows_is_400()
    {
        var boundary = new string('b', 200);
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--{boundary}--\r\n";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        await (await _writer.PostAsync("/v1/knowledge-bases/preflight/documents", content)).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task A_multipart_body_cut_off_before_its_closing_boundary_is_400()
    {
        const string boundary = "cut-here";
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello wor";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        await (await _writer.PostAsync("/v1/knowledge-bases/preflight/documents", content)).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
    }
}
