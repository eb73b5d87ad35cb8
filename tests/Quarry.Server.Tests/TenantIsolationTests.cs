using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Tenant A's keys (up to admin) cannot list, fetch, search, ask, cancel or delete anything of tenant B through any
/// endpoint, even when both use the same knowledge-base name and A knows B's ids.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private readonly ServerProcess _server = new();
    private HttpClient _a = null!, _b = null!;
    private string _bDocument = "", _bJob = "", _bKeyId = "";

    public async Task InitializeAsync()
    {
        var aKey = await _server.CreateKeyAsync("tenant-a", "admin");
        var bKey = await _server.CreateKeyAsync("tenant-b", "admin");
        // Jobs stay queued (no workers) until B's are checked, so cancel can be tried on a live job.
        await _server.StartAsync("--role", "api");
        _a = _server.Client(aKey);
        _b = _server.Client(bKey);

        foreach (var client in new[] { _a, _b }) await client.CreateKnowledgeBaseAsync("shared");
        await _b.CreateKnowledgeBaseAsync("b-only");
        var accepted = await (await _b.UploadTextAsync("shared", "secret.md", "# Merger plan\n\nTenant B plans to acquire Zorblax Industries in March.")).JsonAsync(HttpStatusCode.Accepted);
        _bDocument = accepted.GetProperty("documentId").GetString()!;
        _bJob = accepted.GetProperty("jobId").GetString()!;
        var key = await (await _b.PostJsonAsync("/v1/keys", new { role = "reader" })).JsonAsync(HttpStatusCode.Created);
        _bKeyId = key.GetProperty("details").GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Tenant_A_cannot_reach_tenant_Bs_knowledge_bases_documents_jobs_keys_or_answers()
    {
        // Lists show only A's own things.
        var kbs = await (await _a.GetAsync("/v1/knowledge-bases")).JsonAsync(HttpStatusCode.OK);
        kbs.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("name").GetString()).Should().Equal("shared");
        (await (await _a.GetAsync("/v1/knowledge-bases/shared/documents")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32().Should().Be(0);
        (await (await _a.GetAsync("/v1/jobs")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength().Should().Be(0);
        (await (await _a.GetAsync("/v1/keys")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Select(k => k.GetProperty("tenant").GetString()).Should().OnlyContain(t => t == "tenant-a");
        (await (await _a.GetAsync("/v1/models")).JsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()).Should().Equal("shared");

        // B's knowledge base by name, B's document, job and key by id: not found.
        await (await _a.GetAsync("/v1/knowledge-bases/b-only")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.GetAsync("/v1/knowledge-bases/b-only/documents")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.GetAsync($"/v1/knowledge-bases/shared/documents/{_bDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.GetAsync($"/v1/jobs/{_bJob}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.PostAsync($"/v1/jobs/{_bJob}/cancel", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.DeleteAsync($"/v1/knowledge-bases/shared/documents/{_bDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.DeleteAsync("/v1/knowledge-bases/b-only")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.DeleteAsync($"/v1/keys/{_bKeyId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.UploadTextAsync("b-only", "x.md", "# x\n\ntext")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        // Search, ask and chat completions against B's knowledge base name: not found; A's own never returns B's chunks.
        await (await _a.PostJsonAsync("/v1/search", new { query = "Zorblax merger", knowledgeBase = "b-only" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.PostJsonAsync("/v1/ask", new { question = "Who does tenant B acquire?", knowledgeBase = "b-only" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _a.PostAsJsonAsync("/v1/chat/completions", new { model = "b-only", messages = new[] { new { role = "user", content = "Zorblax?" } } }))
            .ProblemAsync(HttpStatusCode.NotFound, "not-found");

        // B's own view is intact: B's job is still queued and its key still exists.
        (await (await _b.GetAsync($"/v1/jobs/{_bJob}")).JsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString().Should().Be("queued");
        (await (await _b.GetAsync("/v1/keys")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Select(k => k.GetProperty("id").GetString()).Should().Contain(_bKeyId);
    }

    [Fact]
    public async Task Once_Bs_document_is_ingested_A_cannot_find_it_by_search_filter_or_id()
    {
        // Restart the same data directory with workers, so B's queued job is ingested.
        var aKey = _a.DefaultRequestHeaders.Authorization!.Parameter!;
        var bKey = _b.DefaultRequestHeaders.Authorization!.Parameter!;
        await _server.KillAsync();
        await _server.StartAsync();
        _a = _server.Client(aKey);
        _b = _server.Client(bKey);
        (await _b.WaitForJobAsync(_bJob)).GetProperty("status").GetString().Should().Be("succeeded");
        var bSearch = await (await _b.PostJsonAsync("/v1/search", new { query = "Zorblax merger" })).JsonAsync(HttpStatusCode.OK);
        bSearch.GetProperty("results").GetArrayLength().Should().BeGreaterThan(0, "the document is searchable by its own tenant");

        var everywhere = await (await _a.PostJsonAsync("/v1/search", new { query = "Zorblax merger acquire" })).JsonAsync(HttpStatusCode.OK);
        everywhere.GetProperty("results").GetArrayLength().Should().Be(0);
        var byId = await (await _a.PostJsonAsync("/v1/search", new { query = "Zorblax", filters = new { documents = new[] { _bDocument } } })).JsonAsync(HttpStatusCode.OK);
        byId.GetProperty("results").GetArrayLength().Should().Be(0);
        await (await _a.GetAsync($"/v1/knowledge-bases/shared/documents/{_bDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await (await _a.GetAsync("/v1/knowledge-bases/shared/documents")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32().Should().Be(0);
        await (await _a.DeleteAsync($"/v1/knowledge-bases/shared/documents/{_bDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await (await _b.GetAsync($"/v1/knowledge-bases/shared/documents/{_bDocument}")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("document").GetProperty("id").GetString().Should().Be(_bDocument);
    }
}
