using System.Net;
using System.Text.Json;
using Quarry.Server.Tests.Conversations;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Mcp;

/// <summary>
/// The official MCP TypeScript SDK client against the real server on loopback (<c>/mcp</c>, streamable HTTP) and
/// against <c>quarry mcp</c> over stdio: it lists and calls the four tools, and each call runs with the key's tenant,
/// knowledge-base limits and role, exactly as the REST API would.
/// </summary>
public sealed class McpClientTests(McpClientTests.Fixture fixture) : IClassFixture<McpClientTests.Fixture>
{
    private static readonly string[] Tools = ["ask", "get_document", "list_knowledge_bases", "search", "start_session"];

    [Fact]
    public async Task The_client_lists_and_calls_the_tools_within_the_keys_knowledge_bases()
    {
        var run = await McpClient.RunAsync(new
        {
            transport = "http",
            url = fixture.McpUrl,
            key = fixture.LimitedReader,
            calls = new object[]
            {
                new { name = "list_knowledge_bases" },
                new { name = "search", arguments = new { query = "When did the Zephyr Bridge open?", knowledgeBase = "open" } },
                new { name = "ask", arguments = new { question = "When did the Zephyr Bridge open?", knowledgeBase = "open" } },
                new { name = "get_document", arguments = new { knowledgeBase = "open", documentId = fixture.ZephyrId } },
                new { name = "search", arguments = new { query = "Harbor Tunnel", knowledgeBase = "secret" } },
                new { name = "get_document", arguments = new { knowledgeBase = "secret", documentId = fixture.HarborId } },
            },
        });

        run.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).Order().Should().Equal(Tools, run.ToString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        results.Take(4).Should().OnlyContain(r => !r.GetProperty("isError").GetBoolean(), run.ToString());
        Json(results[0]).GetProperty("knowledgeBases").EnumerateArray().Select(k => k.GetProperty("name").GetString()).Should().Equal("open");
        Json(results[1]).GetProperty("results")[0].GetProperty("documentId").GetString().Should().Be(fixture.ZephyrId);
        var answer = Json(results[2]);
        answer.GetProperty("text").GetString().Should().Contain("1931");
        answer.GetProperty("citations")[0].GetProperty("documentId").GetString().Should().Be(fixture.ZephyrId);
        Json(results[3]).GetProperty("text").GetString().Should().Contain("Linden River");
        // The key is limited to "open": the other knowledge base is as absent as one that does not exist.
        results[4].GetProperty("isError").GetBoolean().Should().BeTrue();
        results[4].GetProperty("text").GetString().Should().Contain("No knowledge base named 'secret'");
        results[5].GetProperty("isError").GetBoolean().Should().BeTrue();
        results[5].GetProperty("text").GetString().Should().NotContain("Gull Bay");

        // Tool calls are audited like /v1 requests, under their tool's route (streamable HTTP answers as an event
        // stream, so with the _stream suffix every streamed answer carries).
        using var admin = fixture.Server.Client(fixture.Admin);
        var routes = new List<string?>();
        for (var attempt = 0; attempt < 50 && !routes.Contains("mcp_ask_stream"); attempt++)
        {
            await Task.Delay(200);
            var page = await (await admin.GetAsync("/v1/audit?limit=200")).JsonAsync(HttpStatusCode.OK);
            routes = [.. page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("route").GetString())];
        }
        routes.Should().Contain(["mcp_search_stream", "mcp_ask_stream", "mcp_get_document_stream"]);
    }

    [Fact]
    public async Task A_session_carries_a_pronoun_follow_up_and_stays_its_callers()
    {
        var run = await McpClient.RunAsync(new
        {
            transport = "http",
            url = fixture.McpUrl,
            key = fixture.LimitedReader,
            calls = new object[]
            {
                new { name = "start_session", arguments = new { title = "Bridges", knowledgeBase = "open" } },
                new { name = "ask", arguments = new { question = SessionTests.First, sessionId = "$0.sessionId" } },
                new { name = "ask", arguments = new { question = SessionTests.FollowUp, sessionId = "$0.sessionId" } },
            },
        });
        var results = run.GetProperty("results").EnumerateArray().ToList();
        results.Should().OnlyContain(r => !r.GetProperty("isError").GetBoolean(), run.ToString());
        var sessionId = Json(results[0]).GetProperty("sessionId").GetString()!;
        var followUp = Json(results[2]);
        followUp.GetProperty("rewrittenQuery").GetString().Should().Contain("Zephyr");
        followUp.GetProperty("citations")[0].GetProperty("documentId").GetString().Should().Be(fixture.ZephyrId);

        // The session holds both turns for its caller (REST shows the same session), and is nobody else's.
        using var reader = fixture.Server.Client(fixture.LimitedReader);
        var session = await (await reader.GetAsync($"/v1/sessions/{sessionId}")).JsonAsync(HttpStatusCode.OK);
        session.GetProperty("turns").GetArrayLength().Should().Be(2);
        var other = await McpClient.RunAsync(new
        {
            transport = "http",
            url = fixture.McpUrl,
            key = fixture.OtherTenant,
            calls = new object[] { new { name = "ask", arguments = new { question = SessionTests.FollowUp, sessionId } } },
        });
        other.GetProperty("results")[0].GetProperty("isError").GetBoolean().Should().BeTrue();
        other.GetProperty("results")[0].GetProperty("text").GetString().Should().Contain("No session");
    }

    [Fact]
    public async Task Without_a_key_the_client_cannot_connect_and_another_tenant_sees_none_of_the_documents()
    {
        var anonymous = await McpClient.RunAsync(new { transport = "http", url = fixture.McpUrl, calls = Array.Empty<object>() });
        anonymous.GetProperty("error").GetString().Should().Contain("401");

        var other = await McpClient.RunAsync(new
        {
            transport = "http",
            url = fixture.McpUrl,
            key = fixture.OtherTenant,
            calls = new object[]
            {
                new { name = "list_knowledge_bases" },
                new { name = "get_document", arguments = new { knowledgeBase = "open", documentId = fixture.ZephyrId } },
            },
        });
        var results = other.GetProperty("results").EnumerateArray().ToList();
        Json(results[0]).GetProperty("knowledgeBases").GetArrayLength().Should().Be(0);
        results[1].GetProperty("isError").GetBoolean().Should().BeTrue();
        results[1].GetProperty("text").GetString().Should().NotContain("Linden");
    }

    [Fact]
    public async Task Quarry_mcp_serves_the_tools_over_stdio_as_the_operators_tenant()
    {
        var run = await McpClient.RunAsync(new
        {
            transport = "stdio",
            command = "dotnet",
            args = new[] { Path.Combine(AppContext.BaseDirectory, "quarry.dll"), "mcp", "--data", fixture.Server.DataDirectory, "--tenant", "alpha" },
            calls = new object[] { new { name = "list_knowledge_bases" }, new { name = "search", arguments = new { query = "Gull Bay tunnel", knowledgeBase = "secret" } } },
        });

        run.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).Order().Should().Equal(Tools, run.ToString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Json(results[0]).GetProperty("knowledgeBases").EnumerateArray().Select(k => k.GetProperty("name").GetString()).Should().BeEquivalentTo(["open", "secret"]);
        Json(results[1]).GetProperty("results")[0].GetProperty("documentId").GetString().Should().Be(fixture.HarborId);
    }

    private static JsonElement Json(JsonElement result)
    {
        using var document = JsonDocument.Parse(result.GetProperty("text").GetString()!);
        return document.RootElement.Clone();
    }

    public sealed class Fixture : IAsyncLifetime
    {
        internal ServerProcess Server { get; } = new();
        public string Admin { get; private set; } = "";
        public string LimitedReader { get; private set; } = "";
        public string OtherTenant { get; private set; } = "";
        public string ZephyrId { get; private set; } = "";
        public string HarborId { get; private set; } = "";
        public string McpUrl => new Uri(Server.BaseAddress, "mcp").ToString();

        public async Task InitializeAsync()
        {
            var admin = Admin = await Server.CreateKeyAsync("alpha", "admin");
            OtherTenant = await Server.CreateKeyAsync("beta", "reader");
            await Server.StartAsync();
            using var client = Server.Client(admin);
            await client.CreateKnowledgeBaseAsync("open");
            await client.CreateKnowledgeBaseAsync("secret");
            ZephyrId = (await client.IngestAsync("open", "zephyr.md", SessionTests.Zephyr)).GetProperty("documentId").GetString()!;
            HarborId = (await client.IngestAsync("secret", "harbor.md", SessionTests.Harbor)).GetProperty("documentId").GetString()!;
            var created = await (await client.PostJsonAsync("/v1/keys", new { role = "reader", knowledgeBases = new[] { "open" } })).JsonAsync(HttpStatusCode.Created);
            LimitedReader = created.GetProperty("key").GetString()!;
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
