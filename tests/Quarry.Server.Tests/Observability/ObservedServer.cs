using System.Net;
using System.Net.Http.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>
/// One real server process with a loopback model provider (embeddings and chat) and a loopback OTLP receiver, that
/// has served every answered route once: search, ask (JSON and SSE), chat completions (JSON and streamed), and the
/// same question twice (the second query embedding comes from the cache).
/// </summary>
public sealed class ObservedServer : IAsyncLifetime
{
    public const string Kb = "shipping";
    public const string Question = "How much does express delivery cost?";

    internal LoopbackModels Models { get; } = new();
    internal OtlpReceiver Otlp { get; } = new();
    internal ServerProcess Server { get; private set; } = null!;
    internal HttpClient Client { get; private set; } = null!;
    /// <summary>X-Trace-Id of the JSON ask.</summary>
    public string AskTraceId { get; private set; } = "";
    public string IngestJobId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = new ServerProcess()
            // Inline: an ingestion's spans include its embedding, in the job's trace.
            .With("QUARRY_Ingestion__Vectors", "Inline")
            .With("QUARRY_Models__Embeddings__Provider", "openai")
            .With("QUARRY_Models__Embeddings__OpenAI__Endpoint", Models.Endpoint.ToString())
            .With("QUARRY_Models__Embeddings__OpenAI__Model", "fake-embedder")
            .With("QUARRY_Models__Embeddings__OpenAI__Dimensions", "8")
            .With("QUARRY_Models__Embeddings__OpenAI__ApiKey", "test")
            .With("QUARRY_Models__Chat__Providers__0__Name", "loopback")
            .With("QUARRY_Models__Chat__Providers__0__Endpoint", Models.Endpoint.ToString())
            .With("QUARRY_Models__Chat__Providers__0__Model", LoopbackModels.ChatModel)
            .With("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test")
            // The series below count the whole answer path per request; the answer cache would serve the repeats.
            .With("QUARRY_Cache__Enabled", "false")
            .With("QUARRY_Observability__BacklogInterval", "00:00:01")
            .With("QUARRY_Logging__Format", "json")
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", Otlp.Endpoint.ToString())
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_SERVICE_NAME", "quarry-under-test")
            // The batch processor exports every 200 ms instead of every 5 s.
            .With("OTEL_BSP_SCHEDULE_DELAY", "200");
        await Server.StartAsync("--dev");
        Client = Server.Client();
        await Client.CreateKnowledgeBaseAsync(Kb);
        var job = await Client.IngestAsync(Kb, "shipping.md",
            "# Shipping\n\nExpress delivery costs 9 euros and arrives within two working days.\n\n# Returns\n\nReturns are free for 30 days after delivery.\n");
        IngestJobId = job.GetProperty("id").GetString()!;

        (await Client.PostJsonAsync("/v1/search", new { query = "returns", knowledgeBase = Kb })).EnsureSuccessStatusCode();
        var ask = await Client.PostJsonAsync("/v1/ask", new { question = Question, knowledgeBase = Kb });
        ask.EnsureSuccessStatusCode();
        AskTraceId = ask.Headers.GetValues("X-Trace-Id").Single();
        (await Client.PostJsonAsync("/v1/ask", new { question = Question, knowledgeBase = Kb })).EnsureSuccessStatusCode();
        using (var sse = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent.Create(new { question = Question, knowledgeBase = Kb }) })
        {
            sse.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await Client.SendAsync(sse);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        }
        var messages = new[] { new { role = "user", content = Question } };
        (await Client.PostJsonAsync("/v1/chat/completions", new { model = Kb, messages })).EnsureSuccessStatusCode();
        var streamed = await Client.PostJsonAsync("/v1/chat/completions", new { model = Kb, messages, stream = true });
        streamed.EnsureSuccessStatusCode();
        await streamed.Content.ReadAsStringAsync();
    }

    public async Task<string> ScrapeAsync()
    {
        var response = await Client.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Models.DisposeAsync();
        await Otlp.DisposeAsync();
    }
}

/// <summary>The test classes that read one <see cref="ObservedServer"/>: started once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class ObservedCollection : ICollectionFixture<ObservedServer>
{
    public const string Name = "observed server";
}
