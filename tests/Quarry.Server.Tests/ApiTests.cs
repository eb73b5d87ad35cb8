using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>The API's main paths against the real server process (quarry serve) on a loopback port.</summary>
public sealed class ApiTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly HttpClient _admin = fixture.Client(fixture.Admin);
    private readonly HttpClient _writer = fixture.Client(fixture.Writer);
    private readonly HttpClient _reader = fixture.Client(fixture.Reader);

    private const string Guide = """
        # Scopes guide

        ## Declaring scopes

        Declare OAuth2 scopes on the security dependency. Each scope is a string such as items:read.

        ## Checking scopes

        The dependency receives SecurityScopes and checks that the token grants every required scope.
        """;

    [Fact]
    public async Task Knowledge_bases_can_be_created_listed_fetched_and_deleted()
    {
        var created = await _admin.CreateKnowledgeBaseAsync("kb-crud");
        created.GetProperty("name").GetString().Should().Be("kb-crud");
        created.GetProperty("documents").GetInt32().Should().Be(0);

        var list = await (await _reader.GetAsync("/v1/knowledge-bases")).JsonAsync(HttpStatusCode.OK);
        list.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("name").GetString()).Should().Contain("kb-crud");
        (await (await _reader.GetAsync("/v1/knowledge-bases/kb-crud")).JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetString()
            .Should().Be(created.GetProperty("id").GetString());

        await (await _admin.PostJsonAsync("/v1/knowledge-bases", new { name = "kb-crud" })).ProblemAsync(HttpStatusCode.Conflict, "conflict");
        await (await _admin.PostJsonAsync("/v1/knowledge-bases", new { name = "no spaces" })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");

        (await _admin.DeleteAsync("/v1/knowledge-bases/kb-crud")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await _reader.GetAsync("/v1/knowledge-bases/kb-crud")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task An_upload_is_ingested_by_a_job_and_its_document_can_be_listed_fetched_searched_and_deleted()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-docs");
        var accepted = await (await _writer.UploadFileAsync("kb-docs", "scopes.md", Encoding.UTF8.GetBytes(Guide), "text/markdown",
            new Dictionary<string, string> { ["title"] = "Scopes guide", ["tags"] = """{"team":"auth"}""" })).JsonAsync(HttpStatusCode.Accepted);
        accepted.GetProperty("status").GetString().Should().Be("queued");
        var documentId = accepted.GetProperty("documentId").GetString()!;

        var job = await _reader.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!);
        job.GetProperty("status").GetString().Should().Be("succeeded", job.ToString());
        job.GetProperty("outcome").GetString().Should().Be("created");
        job.GetProperty("documentId").GetString().Should().Be(documentId);
        job.GetProperty("progress").GetProperty("done").GetInt32().Should().Be(1);
        job.GetProperty("fileName").GetString().Should().Be("scopes.md");

        var page = await (await _reader.GetAsync("/v1/knowledge-bases/kb-docs/documents?limit=10")).JsonAsync(HttpStatusCode.OK);
        page.GetProperty("total").GetInt32().Should().Be(1);
        var listed = page.GetProperty("items")[0];
        listed.GetProperty("id").GetString().Should().Be(documentId);
        listed.GetProperty("title").GetString().Should().Be("Scopes guide");
        listed.GetProperty("tags").GetProperty("team").GetString().Should().Be("auth");
        (await (await _reader.GetAsync("/v1/knowledge-bases/kb-docs/documents?tag=team=sales")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("total").GetInt32().Should().Be(0);

        var detail = await (await _reader.GetAsync($"/v1/knowledge-bases/kb-docs/documents/{documentId}?include=chunks")).JsonAsync(HttpStatusCode.OK);
        var chunkCount = detail.GetProperty("document").GetProperty("chunkCount").GetInt32();
        chunkCount.Should().BeGreaterThan(0);
        detail.GetProperty("chunks").GetArrayLength().Should().Be(chunkCount);
        detail.GetProperty("versions").GetArrayLength().Should().Be(1);

        var search = await (await _reader.PostJsonAsync("/v1/search", new { query = "which scopes does the token grant", knowledgeBase = "kb-docs", topK = 3 }))
            .JsonAsync(HttpStatusCode.OK);
        search.GetProperty("results")[0].GetProperty("documentId").GetString().Should().Be(documentId);
        var filtered = await (await _reader.PostJsonAsync("/v1/search", new { query = "scopes", knowledgeBase = "kb-docs", filters = new { tags = new { team = "sales" } } }))
            .JsonAsync(HttpStatusCode.OK);
        filtered.GetProperty("results").GetArrayLength().Should().Be(0);

        (await _writer.DeleteAsync($"/v1/knowledge-bases/kb-docs/documents/{documentId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await _reader.GetAsync($"/v1/knowledge-bases/kb-docs/documents/{documentId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await (await _reader.PostJsonAsync("/v1/search", new { query = "scopes", knowledgeBase = "kb-docs" })).JsonAsync(HttpStatusCode.OK))
            .GetProperty("results").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Uploading_the_same_content_again_is_a_reported_no_op_and_changed_content_is_a_new_version()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-versions");
        var first = await _writer.IngestAsync("kb-versions", "guide.md", Guide);
        var documentId = first.GetProperty("documentId").GetString();

        var again = await (await _writer.UploadTextAsync("kb-versions", "guide.md", Guide)).JsonAsync(HttpStatusCode.OK);
        again.GetProperty("status").GetString().Should().Be("unchanged");
        again.GetProperty("jobId").ValueKind.Should().Be(JsonValueKind.Null);
        again.GetProperty("documentId").GetString().Should().Be(documentId);

        var changed = await _writer.IngestAsync("kb-versions", "guide.md", Guide + "\n## Revoking scopes\n\nRevoke a scope by issuing a new token.\n");
        changed.GetProperty("outcome").GetString().Should().Be("replaced");
        var detail = await (await _reader.GetAsync($"/v1/knowledge-bases/kb-versions/documents/{documentId}")).JsonAsync(HttpStatusCode.OK);
        detail.GetProperty("document").GetProperty("version").GetInt32().Should().Be(2);
        detail.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Should().Equal(1, 2);
        (await (await _reader.GetAsync("/v1/knowledge-bases/kb-versions/documents")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Json_text_uploads_are_ingested_and_listed_with_paging()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-json");
        var jobs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var accepted = await (await _writer.PostJsonAsync("/v1/knowledge-bases/kb-json/documents", new
            {
                text = $"# Note {i}\n\nThe number of this note is {i}. It mentions pagination.",
                title = $"Note {i}",
                sourceUri = $"notes://{i}",
                tags = new { kind = "note" },
            })).JsonAsync(HttpStatusCode.Accepted);
            jobs.Add(accepted.GetProperty("jobId").GetString()!);
        }
        foreach (var job in jobs)
            (await _reader.WaitForJobAsync(job)).GetProperty("status").GetString().Should().Be("succeeded");

        var firstPage = await (await _reader.GetAsync("/v1/knowledge-bases/kb-json/documents?limit=2&offset=0")).JsonAsync(HttpStatusCode.OK);
        var secondPage = await (await _reader.GetAsync("/v1/knowledge-bases/kb-json/documents?limit=2&offset=2")).JsonAsync(HttpStatusCode.OK);
        firstPage.GetProperty("total").GetInt32().Should().Be(5);
        firstPage.GetProperty("items").GetArrayLength().Should().Be(2);
        var ids = firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray()).Select(d => d.GetProperty("sourceUri").GetString());
        ids.Should().OnlyHaveUniqueItems().And.HaveCount(4);

        var listed = await (await _reader.GetAsync("/v1/jobs?status=succeeded&limit=50")).JsonAsync(HttpStatusCode.OK);
        listed.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()).Should().Contain(jobs);
        await (await _writer.PostAsync($"/v1/jobs/{jobs[0]}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_document_that_cannot_be_parsed_is_refused_synchronously_with_a_stable_reason()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-bad");
        var accepted = await (await _writer.UploadFileAsync("kb-bad", "image.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], null))
            .JsonAsync(HttpStatusCode.Accepted);
        var job = await _reader.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!);
        job.GetProperty("status").GetString().Should().Be("failed");
        job.GetProperty("error").GetProperty("code").GetString().Should().Be("corrupt", "a truncated PNG fails in OCR");
        await (await _reader.GetAsync($"/v1/knowledge-bases/kb-bad/documents/{accepted.GetProperty("documentId").GetString()}"))
            .ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Admins_create_list_and_revoke_keys_of_their_tenant()
    {
        var created = await (await _admin.PostJsonAsync("/v1/keys", new { role = "reader", name = "ci" })).JsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("details").GetProperty("id").GetString();
        using var client = fixture.Client(key);
        (await client.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);

        var list = await (await _admin.GetAsync("/v1/keys")).JsonAsync(HttpStatusCode.OK);
        var listed = list.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        listed.GetRawText().Should().NotContain(key, "the key itself is never shown again");
        (await _admin.DeleteAsync($"/v1/keys/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await client.GetAsync("/v1/knowledge-bases")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Health_readiness_and_the_openapi_document_are_served()
    {
        using var anonymous = fixture.Server.Client();
        (await (await anonymous.GetAsync("/healthz")).JsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString().Should().Be("ok");
        var ready = await (await anonymous.GetAsync("/readyz")).JsonAsync(HttpStatusCode.OK);
        ready.GetProperty("status").GetString().Should().Be("ready");
        ready.GetProperty("checks").GetProperty("store").GetString().Should().Be("ok");

        var openapi = await (await anonymous.GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var paths = openapi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/v1/knowledge-bases", "/v1/knowledge-bases/{kb}/documents", "/v1/jobs/{id}", "/v1/search", "/v1/ask", "/v1/chat/completions"]);
        openapi.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString().Should().Be("bearer");
    }

    [Fact]
    public async Task Models_are_the_tenants_knowledge_bases()
    {
        await _admin.CreateKnowledgeBaseAsync("kb-model");
        var models = await (await _reader.GetAsync("/v1/models")).JsonAsync(HttpStatusCode.OK);
        models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).Should().Contain("kb-model");
        await (await _reader.PostAsJsonAsync("/v1/chat/completions", new { model = "no-such-kb", messages = new[] { new { role = "user", content = "hi" } } }))
            .ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
