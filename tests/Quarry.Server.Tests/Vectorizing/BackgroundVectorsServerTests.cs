using System.Net.Http.Json;
using System.Net;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Vectorizing;

/// <summary>
/// The server's default with an embedder (Ingestion:Vectors = Background): an upload's job succeeds once the document is
/// stored, and the background stage fills in its vectors, which the knowledge base reports as they arrive.
/// </summary>
public sealed class BackgroundVectorsServerTests : IAsyncLifetime
{
    private readonly LoopbackModels _models = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = new ServerProcess()
            .With("QUARRY_Models__Embeddings__Provider", "openai")
            .With("QUARRY_Models__Embeddings__OpenAI__Endpoint", _models.Endpoint.ToString())
            .With("QUARRY_Models__Embeddings__OpenAI__Model", "fake-embedder")
            .With("QUARRY_Models__Embeddings__OpenAI__Dimensions", "8")
            .With("QUARRY_Models__Embeddings__OpenAI__ApiKey", "test")
            .With("QUARRY_Vectorizing__SweepInterval", "00:00:00.200");
        await _server.StartAsync("--dev");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _models.DisposeAsync();
    }

    [Fact]
    public async Task A_stored_upload_is_searchable_and_its_vectors_are_filled_in_the_background()
    {
        var client = _server.Client();
        await client.CreateKnowledgeBaseAsync("help");
        await client.IngestAsync("help", "shipping.md", "# Shipping\n\nExpress delivery costs 9 euros.\n\n# Returns\n\nReturns are free for 30 days.\n");

        (await (await client.PostJsonAsync("/v1/search", new { query = "returns", knowledgeBase = "help" })).JsonAsync(HttpStatusCode.OK))
            .GetProperty("results").GetArrayLength().Should().BeGreaterThan(0, "a stored document is searchable whether or not its vectors exist yet");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var vectors = (await (await client.GetAsync("/v1/knowledge-bases/help", timeout.Token)).JsonAsync(HttpStatusCode.OK)).GetProperty("vectors");
            vectors.GetProperty("model").GetString().Should().Be("openai:fake-embedder@8");
            vectors.GetProperty("chunks").GetInt32().Should().BeGreaterThan(0);
            if (vectors.GetProperty("embedded").GetInt32() == vectors.GetProperty("chunks").GetInt32()) break;
            await Task.Delay(50, timeout.Token);
        }
        // The last batch's vectors are stored a moment before the knowledge base is switched to their model.
        System.Text.Json.JsonElement search;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = JsonContent.Create(new { query = "returns", knowledgeBase = "help" }) };
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
            search = await (await client.SendAsync(request, timeout.Token)).JsonAsync(HttpStatusCode.OK);
            if (search.GetProperty("mode").GetString() == "hybrid") break;
            await Task.Delay(50, timeout.Token);
        }
        while (true);
        search.GetProperty("degraded").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, search.ToString());
        search.GetProperty("results")[0].GetProperty("vectorRank").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Number, "the vectors are searched");
    }
}
