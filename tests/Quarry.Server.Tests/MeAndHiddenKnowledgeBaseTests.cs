using System.Net;
using System.Net.Http.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>GET /v1/me tells a client the caller's role, scope and the server's answer mode; hidden knowledge bases
/// stay out of listings and /v1/models but remain usable by name.</summary>
public sealed class MeAndHiddenKnowledgeBaseTests(KeyedServer server) : IClassFixture<KeyedServer>
{
    [Fact]
    public async Task Me_reports_role_permissions_scope_and_answer_mode()
    {
        using var reader = server.Client(server.Reader);
        var me = await (await reader.GetAsync("/v1/me")).JsonAsync(HttpStatusCode.OK);
        me.GetProperty("tenant").GetString().Should().Be("alpha");
        me.GetProperty("role").GetString().Should().Be("reader");
        me.GetProperty("keyId").GetString().Should().NotBeNullOrEmpty();
        me.GetProperty("knowledgeBases").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "an unlimited key may use every knowledge base");
        var permissions = me.GetProperty("permissions");
        permissions.GetProperty("manageKnowledgeBases").GetBoolean().Should().BeFalse();
        permissions.GetProperty("upload").GetBoolean().Should().BeFalse();
        permissions.GetProperty("deleteDocuments").GetBoolean().Should().BeFalse();
        permissions.GetProperty("manageKeys").GetBoolean().Should().BeFalse();
        me.GetProperty("server").GetProperty("answerMode").GetString().Should().Be("extractive");
        me.GetProperty("server").GetProperty("chatModel").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);

        using var admin = server.Client(server.Admin);
        var adminMe = await (await admin.GetAsync("/v1/me")).JsonAsync(HttpStatusCode.OK);
        adminMe.GetProperty("role").GetString().Should().Be("admin");
        adminMe.GetProperty("permissions").GetProperty("manageKeys").GetBoolean().Should().BeTrue();
        adminMe.GetProperty("keyId").GetString().Should().NotBe(me.GetProperty("keyId").GetString());

        var limited = await (await admin.PostJsonAsync("/v1/keys", new { role = "writer", knowledgeBases = new[] { "me-docs" } })).JsonAsync(HttpStatusCode.Created);
        using var writer = server.Client(limited.GetProperty("key").GetString()!);
        var writerMe = await (await writer.GetAsync("/v1/me")).JsonAsync(HttpStatusCode.OK);
        writerMe.GetProperty("knowledgeBases").EnumerateArray().Select(k => k.GetString()).Should().Equal("me-docs");
        writerMe.GetProperty("permissions").GetProperty("upload").GetBoolean().Should().BeTrue();
        writerMe.GetProperty("permissions").GetProperty("manageKnowledgeBases").GetBoolean().Should().BeFalse();

        using var anonymous = server.Server.Client();
        (await anonymous.GetAsync("/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Hidden_knowledge_bases_are_left_out_of_listings_and_models_but_usable_by_name()
    {
        using var admin = server.Client(server.Admin);
        var created = await (await admin.PostJsonAsync("/v1/knowledge-bases", new { name = "eval-hidden", hidden = true })).JsonAsync(HttpStatusCode.Created);
        created.GetProperty("hidden").GetBoolean().Should().BeTrue();
        await admin.CreateKnowledgeBaseAsync("visible-kb");
        await admin.IngestAsync("eval-hidden", "gears.md", "# Gears\n\nThe gearbox needs oil every spring.");

        async Task<string?[]> Names(string path, string list, string field) =>
            (await (await admin.GetAsync(path)).JsonAsync(HttpStatusCode.OK)).GetProperty(list).EnumerateArray().Select(k => k.GetProperty(field).GetString()).ToArray();
        (await Names("/v1/knowledge-bases", "items", "name")).Should().Contain("visible-kb").And.NotContain("eval-hidden");
        (await Names("/v1/models", "data", "id")).Should().Contain("visible-kb").And.NotContain("eval-hidden");
        (await Names("/v1/knowledge-bases?includeHidden=true", "items", "name")).Should().Contain("eval-hidden");
        (await (await admin.GetAsync("/v1/knowledge-bases/eval-hidden")).JsonAsync(HttpStatusCode.OK)).GetProperty("hidden").GetBoolean().Should().BeTrue();
        var answer = await (await admin.PostJsonAsync("/v1/ask", new { question = "When does the gearbox need oil?", knowledgeBase = "eval-hidden" })).JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("text").GetString().Should().Contain("spring");

        // Rename and hide in one PATCH; the old name is gone, the documents stay.
        var patched = await (await admin.PatchAsJsonAsync("/v1/knowledge-bases/visible-kb", new { name = "renamed-kb", hidden = true })).JsonAsync(HttpStatusCode.OK);
        (patched.GetProperty("name").GetString(), patched.GetProperty("hidden").GetBoolean()).Should().Be(("renamed-kb", true));
        (await Names("/v1/models", "data", "id")).Should().NotContain("renamed-kb").And.NotContain("visible-kb");
        await (await admin.GetAsync("/v1/knowledge-bases/visible-kb")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var shown = await (await admin.PatchAsJsonAsync("/v1/knowledge-bases/eval-hidden", new { hidden = false })).JsonAsync(HttpStatusCode.OK);
        (shown.GetProperty("name").GetString(), shown.GetProperty("documents").GetInt32()).Should().Be(("eval-hidden", 1));
        (await Names("/v1/models", "data", "id")).Should().Contain("eval-hidden");

        await (await admin.PatchAsJsonAsync("/v1/knowledge-bases/renamed-kb", new { name = "eval-hidden" })).ProblemAsync(HttpStatusCode.Conflict, "conflict");
        await (await admin.PatchAsJsonAsync("/v1/knowledge-bases/renamed-kb", new { name = ".bad name" })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        await (await admin.PatchAsJsonAsync("/v1/knowledge-bases/missing-kb", new { hidden = true })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var writer = server.Client(server.Writer);
        (await writer.PatchAsJsonAsync("/v1/knowledge-bases/renamed-kb", new { hidden = false })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
    [Fact]
    public async Task Searching_everywhere_leaves_hidden_knowledge_bases_out()
    {
        using var admin = server.Client(server.Admin);
        await (await admin.PostJsonAsync("/v1/knowledge-bases", new { name = "eval-sprockets", hidden = true })).JsonAsync(HttpStatusCode.Created);
        await admin.CreateKnowledgeBaseAsync("sprocket-manuals");
        await admin.IngestAsync("eval-sprockets", "hidden.md", "# Sprockets\n\nThe sprocket chain is greased with zinc paste.");
        await admin.IngestAsync("sprocket-manuals", "shown.md", "# Sprockets\n\nThe sprocket chain is greased with lithium paste.");

        async Task<string> Found(object body) => string.Join(" | ",
            (await (await admin.PostJsonAsync("/v1/search", body)).JsonAsync(HttpStatusCode.OK)).GetProperty("results").EnumerateArray()
                .Select(r => r.GetProperty("text").GetString()));
        (await Found(new { query = "sprocket chain paste" })).Should().Contain("lithium").And.NotContain("zinc");
        (await Found(new { query = "sprocket chain paste", knowledgeBase = "eval-sprockets" })).Should().Contain("zinc").And.NotContain("lithium");
        var answer = await (await admin.PostJsonAsync("/v1/ask", new { question = "What is the sprocket chain greased with?" })).JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("text").GetString().Should().Contain("lithium").And.NotContain("zinc");
    }
}
