using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Caching;

/// <summary>
/// The answer cache end to end: two server processes on one SQLite store sharing a real Redis (L2), an
/// OpenAI-compatible loopback embedder (semantic layer), two tenants. One scenario, because each step builds on the
/// state the previous one left (a cached entry, a changed document, a killed Redis).
/// </summary>
public sealed class AnswerCacheTests : IAsyncLifetime
{
    private const string Kb = "handbook";
    private const string Policy = """
        # Travel policy

        Taxi rides are refunded up to 40 euros per ride when no public transport runs. Receipts must be uploaded within thirty days.

        # Leave

        Employees get twenty-five days of paid leave per year. Unused leave expires at the end of March.
        """;

    private readonly RedisServer _redis = new();
    private readonly LoopbackModels _embedder = new();
    private ServerProcess _a = null!;
    private ServerProcess _b = null!;
    private string _alpha = "", _beta = "", _alphaAdmin = "", _betaAdmin = "";

    public async Task InitializeAsync()
    {
        if (!RedisServer.Installed) return;
        await _redis.StartAsync();
        _a = Configure(new ServerProcess());
        _b = Configure(new ServerProcess(_a.DataDirectory));
        _alphaAdmin = await _a.CreateKeyAsync("alpha", "admin");
        _alpha = await _a.CreateKeyAsync("alpha", "reader");
        _betaAdmin = await _a.CreateKeyAsync("beta", "admin");
        _beta = await _a.CreateKeyAsync("beta", "reader");
        await _a.StartAsync();
        await _b.StartAsync();
    }

    private ServerProcess Configure(ServerProcess server) => server
        .With("QUARRY_Cache__Redis__Configuration", _redis.Configuration)
        .With("QUARRY_Cache__L2Timeout", "00:00:00.300")
        .With("QUARRY_Cache__SemanticThreshold", "0.9999")
        // Inline: every answer is hybrid from the first, so cached and fresh answers compare like with like.
        .With("QUARRY_Ingestion__Vectors", "Inline")
        .With("QUARRY_Models__Embeddings__Provider", "openai")
        .With("QUARRY_Models__Embeddings__OpenAI__Endpoint", _embedder.Endpoint.ToString())
        .With("QUARRY_Models__Embeddings__OpenAI__Model", "fake-embedder")
        .With("QUARRY_Models__Embeddings__OpenAI__Dimensions", "8");

    public async Task DisposeAsync()
    {
        if (_b is not null) await _b.KillAsync();
        if (_a is not null) await _a.DisposeAsync();
        await _embedder.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Answers_are_cached_per_layer_shared_across_replicas_invalidated_by_writes_and_survive_redis_loss()
    {
        if (!RedisServer.Installed) throw new InvalidOperationException("redis-server is not installed (.ci/run installs it).");
        using var adminA = _a.Client(_alphaAdmin);
        await adminA.CreateKnowledgeBaseAsync(Kb);
        await adminA.IngestAsync(Kb, "policy.md", Policy);
        using var alphaA = _a.Client(_alpha);
        using var alphaB = _b.Client(_alpha);
        const string Question = "How much are taxi rides refunded?";

        var first = await AskAsync(alphaA, Question);
        Cache(first).Should().Be((false, null), first.ToString());
        first.GetProperty("grounded").GetBoolean().Should().BeTrue(first.ToString());

        var second = await AskAsync(alphaA, "  how much are TAXI rides refunded ");
        Cache(second).Should().Be((true, "l1"), "case, spacing and closing punctuation do not make another question");
        second.GetProperty("text").GetString().Should().Be(first.GetProperty("text").GetString());

        var replica = await AskAsync(alphaB, Question);
        Cache(replica).Should().Be((true, "l2"), "the other process finds the entry in Redis");
        Cache(await AskAsync(alphaB, Question)).Should().Be((true, "l1"), "and keeps it locally after");

        // Same characters in another order: the loopback embedder maps it to the same vector.
        var paraphrase = await AskAsync(alphaA, "Taxi rides are refunded how much?");
        Cache(paraphrase).Should().Be((true, "semantic"), paraphrase.ToString());

        var bypass = await AskAsync(alphaA, Question, body: new { question = Question, knowledgeBase = Kb, cache = "bypass" });
        Cache(bypass).Should().Be((false, "bypass"));
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent(new { question = Question, knowledgeBase = Kb }) })
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            var header = await (await alphaA.SendAsync(request)).JsonAsync(HttpStatusCode.OK);
            Cache(header).Should().Be((false, "bypass"));
        }

        // A streamed hit still sends evidence, deltas, citations and done.
        await AskAsync(alphaA, "When does unused leave expire?", stream: true);
        var events = await StreamAsync(alphaA, "When does unused leave expire?");
        events.Select(e => e.Name).Distinct().Should().Equal("evidence", "delta", "citations", "done");
        Cache(events[^1].Data.GetProperty("answer")).Should().Be((true, "l1"));

        // Tenant beta has a knowledge base of the same name and asks the same question: never alpha's entry.
        using var adminBeta = _a.Client(_betaAdmin);
        await adminBeta.CreateKnowledgeBaseAsync(Kb);
        await adminBeta.IngestAsync(Kb, "policy.md", Policy.Replace("40 euros", "15 euros", StringComparison.Ordinal));
        using var betaA = _a.Client(_beta);
        var beta = await AskAsync(betaA, Question);
        Cache(beta).Should().Be((false, null), "another tenant's entry is another key");
        beta.GetProperty("text").GetString().Should().Contain("15 euros");

        // Searches are cached in process too, per tenant, and bypassable.
        Cache(await SearchAsync(alphaB, "taxi refund")).Should().Be((false, null));
        var searched = await SearchAsync(alphaB, "taxi  refund");
        Cache(searched).Should().Be((true, "l1"), "only whitespace is normalized in a search key");
        Cache(await SearchAsync(betaA, "taxi refund")).Should().Be((false, null), "another tenant's search is another key");
        Cache(await SearchAsync(alphaB, "Taxi refund")).Should().Be((false, null), "a search's words are kept as typed");

        // Replace the document through replica A: replica B's cached answer and search are stale at once.
        await adminA.IngestAsync(Kb, "policy.md", Policy.Replace("40 euros", "55 euros", StringComparison.Ordinal));
        var research = await SearchAsync(alphaB, "taxi refund");
        Cache(research).Should().Be((false, null), "the knowledge version changed");
        research.GetProperty("results")[0].GetProperty("text").GetString().Should().Contain("55 euros");
        var fresh = await AskAsync(alphaB, Question);
        Cache(fresh).Should().Be((false, null), "the knowledge version changed with the committed write");
        fresh.GetProperty("text").GetString().Should().Contain("55 euros").And.NotContain("40 euros");
        fresh.GetProperty("citations")[0].GetProperty("quote").GetString().Should().Contain("55 euros");

        // Redis killed: answers still come (L2 skipped within its timeout, then circuit-broken), L1 keeps working.
        await _redis.KillAsync();
        for (var i = 0; i < 5; i++)
        {
            var answer = await AskAsync(alphaA, $"How many days of paid leave do employees get{new string('!', i)} per year?");
            answer.GetProperty("grounded").GetBoolean().Should().BeTrue();
        }
        Cache(await AskAsync(alphaA, "How many days of paid leave do employees get per year?")).Should().Be((true, "l1"));
        _a.Output.Should().Contain("Answer cache L2 (redis) is unavailable");

        var metricsA = await (await _a.Client().GetAsync("/metrics")).Content.ReadAsStringAsync();
        var metricsB = await (await _b.Client().GetAsync("/metrics")).Content.ReadAsStringAsync();
        metricsA.Should().Contain("ai_cache_hit_total{layer=\"l1\"}").And.Contain("ai_cache_hit_total{layer=\"semantic\"}")
            .And.Contain("ai_cache_miss_total{layer=\"l2\"}").And.Contain("ai_cache_error_total{layer=\"l2\"}");
        metricsB.Should().Contain("ai_cache_hit_total{layer=\"l2\"}").And.Contain("ai_cache_hit_total{layer=\"search\"}");
    }

    private static (bool Hit, string? Layer) Cache(JsonElement answer)
    {
        var cache = answer.GetProperty("cache");
        return (cache.GetProperty("hit").GetBoolean(), cache.GetProperty("layer").ValueKind == JsonValueKind.Null ? null : cache.GetProperty("layer").GetString());
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string query) =>
        await (await client.PostJsonAsync("/v1/search", new { query, knowledgeBase = Kb })).JsonAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> AskAsync(HttpClient client, string question, object? body = null, bool stream = false)
    {
        if (stream) return (await StreamAsync(client, question))[^1].Data.GetProperty("answer");
        return await (await client.PostJsonAsync("/v1/ask", body ?? new { question, knowledgeBase = Kb })).JsonAsync(HttpStatusCode.OK);
    }

    private static async Task<IReadOnlyList<Sse.Event>> StreamAsync(HttpClient client, string question)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent(new { question, knowledgeBase = Kb }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await Sse.ReadAllAsync(response);
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
