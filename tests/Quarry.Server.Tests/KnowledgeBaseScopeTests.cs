using System.Net;
using System.Net.Http.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>A key limited to some knowledge bases cannot list, fetch, search, ask, upload to or delete from the
/// others of its own tenant: they are not found, and searching "everywhere" means its own knowledge bases only.</summary>
public sealed class KnowledgeBaseScopeTests : IAsyncLifetime
{
    private readonly ServerProcess _server = new();
    private HttpClient _admin = null!;
    private string _privateDocument = "", _privateJob = "", _publicJob = "";

    public async Task InitializeAsync()
    {
        var admin = await _server.CreateKeyAsync("scoped", "admin");
        await _server.StartAsync();
        _admin = _server.Client(admin);
        await _admin.CreateKnowledgeBaseAsync("public");
        await _admin.CreateKnowledgeBaseAsync("private");
        var publicJob = await _admin.IngestAsync("public", "menu.md", "# Canteen menu\n\nThe canteen serves lentil soup on Mondays.");
        var privateJob = await _admin.IngestAsync("private", "salaries.md", "# Salaries\n\nThe canteen chef earns 4200 euros per month.");
        _publicJob = publicJob.GetProperty("id").GetString()!;
        _privateJob = privateJob.GetProperty("id").GetString()!;
        _privateDocument = privateJob.GetProperty("documentId").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_reader_limited_to_one_knowledge_base_sees_only_that_one()
    {
        var created = await (await _admin.PostJsonAsync("/v1/keys", new { role = "reader", knowledgeBases = new[] { "public" } })).JsonAsync(HttpStatusCode.Created);
        created.GetProperty("details").GetProperty("knowledgeBases").EnumerateArray().Select(k => k.GetString()).Should().Equal("public");
        using var reader = _server.Client(created.GetProperty("key").GetString());

        (await (await reader.GetAsync("/v1/knowledge-bases")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Select(k => k.GetProperty("name").GetString()).Should().Equal("public");
        (await (await reader.GetAsync("/v1/models")).JsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()).Should().Equal("public");
        await (await reader.GetAsync("/v1/knowledge-bases/private")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await reader.GetAsync("/v1/knowledge-bases/private/documents")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await reader.GetAsync($"/v1/knowledge-bases/private/documents/{_privateDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await reader.GetAsync($"/v1/knowledge-bases/public/documents/{_privateDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await reader.GetAsync($"/v1/jobs/{_privateJob}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await (await reader.GetAsync("/v1/jobs")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Select(j => j.GetProperty("id").GetString()).Should().Equal(_publicJob);

        await (await reader.PostJsonAsync("/v1/search", new { query = "canteen chef salary", knowledgeBase = "private" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var everywhere = await (await reader.PostJsonAsync("/v1/search", new { query = "canteen chef salary euros" })).JsonAsync(HttpStatusCode.OK);
        everywhere.GetProperty("results").EnumerateArray().Should().NotBeEmpty()
            .And.OnlyContain(r => r.GetProperty("documentId").GetString() != _privateDocument);
        var byId = await (await reader.PostJsonAsync("/v1/search", new { query = "canteen", filters = new { documents = new[] { _privateDocument } } })).JsonAsync(HttpStatusCode.OK);
        byId.GetProperty("results").GetArrayLength().Should().Be(0);
        await (await reader.PostJsonAsync("/v1/ask", new { question = "How much does the chef earn?", knowledgeBase = "private" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var answer = await (await reader.PostJsonAsync("/v1/ask", new { question = "How much does the canteen chef earn per month?" })).JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("text").GetString().Should().NotContain("4200");
        await (await reader.PostAsJsonAsync("/v1/chat/completions", new { model = "private", messages = new[] { new { role = "user", content = "chef salary?" } } }))
            .ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_writer_limited_to_one_knowledge_base_cannot_write_to_the_others()
    {
        var writerKey = await CreateLimitedWriterWithTheCliAsync();
        using var writer = _server.Client(writerKey);
        await (await writer.UploadTextAsync("private", "x.md", "# X\n\ntext")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await writer.DeleteAsync($"/v1/knowledge-bases/private/documents/{_privateDocument}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await writer.PostAsync($"/v1/jobs/{_privateJob}/cancel", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await writer.UploadTextAsync("public", "y.md", "# Y\n\nAllowed text.")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await (await _admin.GetAsync($"/v1/knowledge-bases/private/documents/{_privateDocument}")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("document").GetProperty("id").GetString().Should().Be(_privateDocument);
    }

    [Fact]
    public async Task Admin_keys_cannot_be_limited()
    {
        await (await _admin.PostJsonAsync("/v1/keys", new { role = "admin", knowledgeBases = new[] { "public" } })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        var cli = await CliProcess.RunAsync(_server.DataDirectory, "keys", "create", "--tenant", "scoped", "--role", "admin", "--kb", "public");
        cli.ExitCode.Should().Be(2, cli.ToString());
    }

    private async Task<string> CreateLimitedWriterWithTheCliAsync()
    {
        var result = await CliProcess.RunAsync(_server.DataDirectory, "keys", "create", "--tenant", "scoped", "--role", "writer", "--kb", "public", "--json");
        result.ExitCode.Should().Be(0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("knowledgeBases")[0].GetString().Should().Be("public");
        return json.RootElement.GetProperty("key").GetString()!;
    }
}
