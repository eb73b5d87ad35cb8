using System.Net;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// The audit trail end to end on the real server: administrative events and answered requests are recorded per
/// tenant, <c>/v1/audit</c> shows an admin only its own tenant's records, and <c>quarry audit verify</c> passes.
/// </summary>
public sealed class AuditTests : IAsyncLifetime
{
    private readonly ServerProcess _server = new();
    private HttpClient _a = null!, _b = null!;

    public async Task InitializeAsync()
    {
        var aKey = await _server.CreateKeyAsync("tenant-a", "admin");
        var bKey = await _server.CreateKeyAsync("tenant-b", "admin");
        await _server.StartAsync();
        _a = _server.Client(aKey);
        _b = _server.Client(bKey);
        await _a.CreateKnowledgeBaseAsync("docs");
        await _b.CreateKnowledgeBaseAsync("docs");
        await _a.IngestAsync("docs", "refunds.md", "# Refunds\n\nCustomers may return any product within thirty days for a full refund.");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<List<JsonElement>> WaitForAuditAsync(HttpClient client, string query, int atLeast)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var page = await (await client.GetAsync("/v1/audit" + query, cts.Token)).JsonAsync(HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            if (items.Count >= atLeast) return items;
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public async Task Administrative_events_are_audited_per_tenant_and_verify_passes()
    {
        var key = await (await _a.PostJsonAsync("/v1/keys", new { role = "reader" })).JsonAsync(HttpStatusCode.Created);
        var keyId = key.GetProperty("details").GetProperty("id").GetString()!;
        var job = await _a.IngestAsync("docs", "old.md", "# Old\n\nThis page is obsolete.");
        var documentId = job.GetProperty("documentId").GetString()!;
        (await _a.DeleteAsync($"/v1/knowledge-bases/docs/documents/{documentId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var deleted = await WaitForAuditAsync(_a, "?route=document.deleted", 1);
        deleted.Single().GetProperty("subject").GetString().Should().Be(documentId);
        // The keys the fixture made with the CLI are audited too (actor "cli:…"); this one was made through the API.
        (await WaitForAuditAsync(_a, "?route=key.created", 1)).Should().Contain(r => r.GetProperty("subject").GetString() == keyId);
        (await WaitForAuditAsync(_a, $"?documentId={documentId}", 1)).Should().Contain(r => r.GetProperty("route").GetString() == "document.deleted");
        var all = await WaitForAuditAsync(_a, "", 3);
        all.Should().OnlyContain(r => r.GetProperty("tenant").GetString() == "tenant-a");
        all.Select(r => r.GetProperty("route").GetString()).Should().Contain("knowledge_base.created");

        // Paging: one record per page, newest first, until the cursor runs out.
        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _a.GetAsync("/v1/audit?limit=1" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync(HttpStatusCode.OK);
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        paged.Should().Equal((await WaitForAuditAsync(_a, "?limit=500", 1)).Select(r => r.GetProperty("id").GetString()));

        // Tenant B sees none of A's records, not even by id.
        var aRecord = deleted.Single().GetProperty("id").GetString()!;
        (await WaitForAuditAsync(_b, "", 1)).Should().OnlyContain(r => r.GetProperty("tenant").GetString() == "tenant-b");
        await (await _b.GetAsync($"/v1/audit/{aRecord}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await (await _a.GetAsync($"/v1/audit/{aRecord}")).JsonAsync(HttpStatusCode.OK)).GetProperty("hash").GetString().Should().HaveLength(64);

        // Bad input is a 400 problem; a reader may not read the trail at all.
        await (await _a.GetAsync("/v1/audit?from=2026-02-01&to=2026-01-01")).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        await (await _a.GetAsync("/v1/audit?from=yesterday")).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        await (await _a.GetAsync("/v1/audit?cursor=abc")).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        await (await _a.GetAsync("/v1/audit?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        var reader = _server.Client(await _server.CreateKeyAsync("tenant-a", "reader"));
        (await reader.GetAsync("/v1/audit")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var verify = await CliProcess.RunAsync(_server.DataDirectory, "audit", "verify");
        verify.ExitCode.Should().Be(0, verify.ToString());
        verify.Stdout.Should().Contain("tenant 'tenant-a': OK").And.Contain("tenant 'tenant-b': OK");
        var export = await CliProcess.RunAsync(_server.DataDirectory, "audit", "export", "--since", "2000-01-01", "--tenant", "tenant-a", "--format", "jsonl");
        export.ExitCode.Should().Be(0, export.ToString());
        export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("tenant").GetString())
            .Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(t => t == "tenant-a");
    }

    /// <summary>Needs the request-observability middleware (RequestObservability.cs, issue 12) that opens the request
    /// facts for answered routes and calls the observers; without it no request record is written.</summary>
    [Fact]
    public async Task Ask_and_search_leave_one_record_each_with_retrieved_and_cited_chunks()
    {
        (await _a.PostJsonAsync("/v1/search", new { query = "refund thirty days", knowledgeBase = "docs" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _a.PostJsonAsync("/v1/ask", new { question = "How long do customers have to return a product?", knowledgeBase = "docs" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var search = (await WaitForAuditAsync(_a, "?route=search", 1)).Single();
        var ask = (await WaitForAuditAsync(_a, "?route=ask", 1)).Single();
        search.GetProperty("question").GetString().Should().Be("refund thirty days");
        search.GetProperty("retrieved").GetArrayLength().Should().BeGreaterThan(0);
        var retrieved = ask.GetProperty("retrieved").EnumerateArray().Select(r => r.GetProperty("chunkId").GetString()).ToList();
        var cited = ask.GetProperty("cited").EnumerateArray().Select(c => c.GetProperty("chunkId").GetString()).ToList();
        retrieved.Should().NotBeEmpty();
        cited.Should().NotBeEmpty().And.OnlyContain(c => retrieved.Contains(c));
        ask.GetProperty("keyId").GetString().Should().StartWith("key_");
        ask.GetProperty("answerText").GetString().Should().NotBeNullOrEmpty();

        (await WaitForAuditAsync(_b, "?route=ask", 0)).Should().BeEmpty("tenant B asked nothing");
        await (await _b.GetAsync($"/v1/audit/{ask.GetProperty("id").GetString()}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var verify = await CliProcess.RunAsync(_server.DataDirectory, "audit", "verify", "--tenant", "tenant-a");
        verify.ExitCode.Should().Be(0, verify.ToString());
    }
}
