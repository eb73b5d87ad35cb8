using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// PII masking on the real server with a streaming chat model (a loopback provider that streams 12-character deltas,
/// so values are split across them): no output path — search, answers as JSON and as events, chat completions plain
/// and streamed, documents, the audit trail, the log — shows a value; under mask-stored, originals are never stored
/// and citations stay exact against what is.
/// </summary>
public sealed class PrivacyTests(PrivacyTests.Fixture fixture) : IClassFixture<PrivacyTests.Fixture>
{
    private const string Document = "# Refunds\n\nRefunds are handled by Jane at jane.doe@example.com or +1 415 555 0132 within five days. " +
        "The refund card on file is 4111 1111 1111 1111 and the account is DE89 3704 0044 0532 0130 00.\n";
    private static readonly string[] Values = ["jane.doe", "415 555 0132", "4111 1111", "DE89", "3704 0044"];
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task No_output_path_shows_a_value_when_the_tenant_masks_output()
    {
        var bodies = new List<(string Path, string Body)>();
        async Task Keep(string path, HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"{path}: {body}");
            bodies.Add((path, body));
        }

        await Keep("search", await Client.PostJsonAsync("/v1/search", new { query = "refund card account", knowledgeBase = "open" }));
        await Keep("ask", await Client.PostJsonAsync("/v1/ask", new { question = "Who handles refunds for jane.doe@example.com?", knowledgeBase = "open" }));
        using (var streamed = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent(new { question = "Who handles refunds?", knowledgeBase = "open" }) })
        {
            streamed.Headers.Accept.ParseAdd("text/event-stream");
            await Keep("ask stream", await Client.SendAsync(streamed));
        }
        await Keep("chat", await Client.PostJsonAsync("/v1/chat/completions", new { model = "open", messages = new[] { new { role = "user", content = "Who handles refunds?" } } }));
        await Keep("chat stream", await Client.PostJsonAsync("/v1/chat/completions", new { model = "open", stream = true, messages = new[] { new { role = "user", content = "Who handles refunds?" } } }));
        var documents = await (await Client.GetAsync("/v1/knowledge-bases/open/documents")).JsonAsync(HttpStatusCode.OK);
        var id = documents.GetProperty("items")[0].GetProperty("id").GetString();
        await Keep("document", await Client.GetAsync($"/v1/knowledge-bases/open/documents/{id}?include=chunks"));
        await Keep("audit", await Client.GetAsync("/v1/audit?limit=50"));

        foreach (var (path, body) in bodies)
            body.Should().NotContainAny(Values, $"{path} must be masked: {body}");
        string.Concat(bodies.Select(b => b.Body)).Should().Contain("[EMAIL]").And.Contain("[CARD]").And.Contain("[IBAN]");
        var streamedText = string.Concat(DeltaTexts(bodies.Single(b => b.Path == "ask stream").Body));
        streamedText.Should().Contain("[EMAIL]", "the answer's first sentence holds the address, split across deltas");
        bodies.Single(b => b.Path == "audit").Body.Should().Contain("Who handles refunds for [EMAIL]?");
        fixture.Server.Output.Should().NotContainAny(Values, "the log carries the question only masked");
    }

    [Fact]
    public async Task Under_mask_stored_the_originals_never_reach_the_store_and_citations_stay_exact()
    {
        var answer = await (await Client.PostJsonAsync("/v1/ask", new { question = "Who handles refunds?", knowledgeBase = "vault" })).JsonAsync(HttpStatusCode.OK);
        var citation = answer.GetProperty("citations")[0];
        var id = citation.GetProperty("documentId").GetString();
        var document = await (await Client.GetAsync($"/v1/knowledge-bases/vault/documents/{id}?include=chunks")).JsonAsync(HttpStatusCode.OK);
        var chunk = document.GetProperty("chunks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == citation.GetProperty("chunkId").GetString());
        var offset = chunk.GetProperty("start").GetInt32();
        chunk.GetProperty("text").GetString()![(citation.GetProperty("start").GetInt32() - offset)..(citation.GetProperty("end").GetInt32() - offset)]
            .Should().Be(citation.GetProperty("quote").GetString(), "the citation's span is exact against the masked text that is stored");
        citation.GetProperty("quote").GetString().Should().Contain("[EMAIL]");

        // Straight from the database file: no table holds an original.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Server.DataDirectory, "quarry.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // The "open" knowledge base stores its originals (mask-output); "vault" must hold none, anywhere.
        command.CommandText = """
            SELECT (SELECT group_concat(text || ' ' || title, ' ') FROM chunks WHERE doc_id = $id)
                || (SELECT group_concat(coalesce(normalized_text, ''), ' ') FROM document_versions WHERE doc_id = $id)
                || (SELECT title || tags FROM documents WHERE id = $id);
            """;
        command.Parameters.AddWithValue("$id", id);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        stored.Should().Contain("[EMAIL]").And.NotContainAny(Values);
    }

    private static IEnumerable<string> DeltaTexts(string stream) =>
        stream.Split("\n\n").Where(e => e.StartsWith("event: delta", StringComparison.Ordinal))
            .Select(e => JsonDocument.Parse(e[(e.IndexOf("data: ", StringComparison.Ordinal) + 6)..]).RootElement.GetProperty("text").GetString()!);

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly LoopbackModels _chat = new();

        internal ServerProcess Server { get; private set; } = null!;
        internal HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = new ServerProcess()
                .With("QUARRY_Models__Chat__Providers__0__Name", "loopback")
                .With("QUARRY_Models__Chat__Providers__0__Endpoint", _chat.Endpoint.ToString())
                .With("QUARRY_Models__Chat__Providers__0__Model", LoopbackModels.ChatModel)
                .With("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test")
                .With("QUARRY_Privacy__Tenants__default__KnowledgeBases__vault__Mode", "MaskStored")
                .With("QUARRY_Observability__LogQuery", "Full");
            await Server.StartAsync("--dev");
            Client = Server.Client();
            foreach (var kb in new[] { "open", "vault" })
            {
                await Client.CreateKnowledgeBaseAsync(kb);
                await Client.IngestAsync(kb, "refunds.md", Document);
            }
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
            await _chat.DisposeAsync();
        }
    }
}
