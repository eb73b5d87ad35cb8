using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Bad input and limits: every failure is a problem document with a stable type and no internals.</summary>
public sealed class ErrorTests(LimitedServer fixture) : IClassFixture<LimitedServer>
{
    private readonly ServerProcess _server = fixture.Server;
    private readonly HttpClient _admin = fixture.Admin, _reader = fixture.Reader, _anonymous = fixture.Server.Client();

    [Fact]
    public async Task Missing_or_invalid_keys_are_401_and_wrong_roles_are_403()
    {
        await (await _anonymous.GetAsync("/v1/knowledge-bases")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        using var bogus = _server.Client("qk_not-a-real-key");
        await (await bogus.PostJsonAsync("/v1/search", new { query = "x" })).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        using var basic = _server.Client();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        await (await basic.GetAsync("/v1/jobs")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        await (await _reader.PostJsonAsync("/v1/knowledge-bases", new { name = "nope" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _reader.UploadTextAsync("docs", "a.md", "# A\n\ntext")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _reader.PostJsonAsync("/v1/keys", new { role = "admin" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _reader.DeleteAsync("/v1/knowledge-bases/docs")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Unknown_knowledge_bases_and_ids_are_404()
    {
        await (await _reader.GetAsync("/v1/knowledge-bases/missing/documents")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _admin.UploadTextAsync("missing", "a.md", "# A\n\ntext")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _reader.PostJsonAsync("/v1/search", new { query = "x", knowledgeBase = "missing" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _reader.GetAsync("/v1/jobs/job_0000")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _reader.GetAsync("/v1/knowledge-bases/docs/documents/" + new string('x', 300))).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _reader.GetAsync("/v1/no-such-route")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Malformed_json_wrong_content_types_and_invalid_queries_are_400_or_415()
    {
        var malformed = new StringContent("{\"query\": ", Encoding.UTF8, "application/json");
        var problem = await (await _reader.PostAsync("/v1/search", malformed)).ProblemAsync(HttpStatusCode.BadRequest, "malformed-json");
        problem.GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        await (await _reader.PostAsync("/v1/search", new StringContent("query=x", Encoding.UTF8, "text/plain")))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await _admin.PostAsync("/v1/knowledge-bases/docs/documents", new StringContent("# A", Encoding.UTF8, "text/markdown")))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await _reader.PostJsonAsync("/v1/search", new { query = "   " })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-query");
        await (await _reader.PostJsonAsync("/v1/search", new { query = "x", topK = 5000 })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-query");
        await (await _reader.PostJsonAsync("/v1/ask", new { knowledgeBase = "docs" })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-query");
        await (await _admin.PostJsonAsync("/v1/knowledge-bases/docs/documents", new { title = "no text" })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        var form = new MultipartFormDataContent { { new StringContent("no file here"), "title" } };
        await (await _admin.PostAsync("/v1/knowledge-bases/docs/documents", form)).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task Oversized_uploads_and_bodies_are_413()
    {
        var big = Encoding.UTF8.GetBytes("# Big\n\n" + new string('a', 20_000));
        await (await _admin.UploadFileAsync("docs", "big.md", big)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        // Without a Content-Length the limit is enforced while reading.
        var chunked = new MultipartFormDataContent { { new StreamContent(new NonSeekableStream(big)), "file", "big.md" } };
        chunked.Headers.ContentLength = null;
        await (await _admin.PostAsync("/v1/knowledge-bases/docs/documents", chunked)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await (await _reader.PostJsonAsync("/v1/search", new { query = new string('q', 5000) })).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "uploads")).Should().BeEmpty("rejected uploads leave nothing behind");
    }

    [Fact]
    public async Task A_tenant_over_its_request_rate_gets_429_with_retry_after()
    {
        var key = await _server.CreateKeyAsync("throttled", "reader");
        using var client = _server.Client(key);
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++) responses.Add(await client.GetAsync("/v1/knowledge-bases"));
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().BeInRange(3, 4, "the burst is 3 and one token is added per second");
        var rejected = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await rejected.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        rejected.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero);
        // Other tenants are not affected.
        (await _reader.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_tenant_over_its_document_quota_gets_429()
    {
        var key = await _server.CreateKeyAsync("small", "admin");
        using var client = _server.Client(key);
        await client.CreateKnowledgeBaseAsync("kb");
        await client.IngestAsync("kb", "one.md", "# One\n\nThe first document.");
        var problem = await (await client.UploadTextAsync("kb", "two.md", "# Two\n\nThe second document.")).ProblemAsync(HttpStatusCode.TooManyRequests, "quota-exceeded");
        problem.GetProperty("detail").GetString().Should().Contain("quota");
    }

    /// <summary>Forces chunked transfer encoding (no length known up front).</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>A server with small limits, shared by <see cref="ErrorTests"/>.</summary>
public sealed class LimitedServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new ServerProcess()
        .With("QUARRY_Server__Limits__MaxUploadBytes", "4096")
        .With("QUARRY_Server__Limits__MaxRequestBytes", "2048")
        .With("QUARRY_Server__Limits__Tenants__throttled__RequestsPerSecond", "1")
        .With("QUARRY_Server__Limits__Tenants__throttled__Burst", "3")
        .With("QUARRY_Server__Limits__Tenants__small__MaxDocuments", "1");

    internal HttpClient Admin { get; private set; } = null!;
    internal HttpClient Reader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var admin = await Server.CreateKeyAsync("errors", "admin");
        var reader = await Server.CreateKeyAsync("errors", "reader");
        await Server.StartAsync();
        Admin = Server.Client(admin);
        Reader = Server.Client(reader);
        await Admin.CreateKnowledgeBaseAsync("docs");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
