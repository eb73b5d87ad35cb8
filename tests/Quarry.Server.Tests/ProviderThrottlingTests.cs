using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// An embeddings provider that answers 429 slows the ingestion worker down instead of failing the job: the job waits
/// (stage "throttled") and is retried until the provider accepts, then succeeds with its vectors stored.
/// </summary>
public sealed class ProviderThrottlingTests : IAsyncDisposable
{
    private readonly ThrottlingEmbeddings _provider = new(throttledRequests: 2);

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task A_throttled_embedding_call_is_retried_by_the_worker_and_the_job_succeeds()
    {
        await using var server = new ServerProcess()
            // Inline: the job itself embeds, so its worker is the one throttled.
            .With("QUARRY_Ingestion__Vectors", "Inline")
            .With("QUARRY_Models__Embeddings__Provider", "openai")
            .With("QUARRY_Models__Embeddings__OpenAI__Endpoint", _provider.Endpoint.ToString())
            .With("QUARRY_Models__Embeddings__OpenAI__Model", "fake-embedder")
            .With("QUARRY_Models__Embeddings__OpenAI__Dimensions", "8")
            .With("QUARRY_Models__Embeddings__OpenAI__ApiKey", "test")
            // The provider's own retries are off, so every 429 reaches the worker.
            .With("QUARRY_Models__Embeddings__OpenAI__MaxRetries", "0")
            .With("QUARRY_Server__Workers__Lease", "00:00:01")
            .With("QUARRY_Server__Workers__Count", "1");
        await server.StartAsync("--dev");
        using var client = server.Client();
        await client.CreateKnowledgeBaseAsync("docs");

        var accepted = await (await client.UploadTextAsync("docs", "a.md", "# Alpha\n\nThe alpha document is about throttled providers."))
            .JsonAsync(HttpStatusCode.Accepted);
        var job = await client.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!, TimeSpan.FromSeconds(90));

        job.GetProperty("status").GetString().Should().Be("succeeded", server.Output);
        job.GetProperty("attempts").GetInt32().Should().Be(3, "two throttled attempts, then one that the provider accepted");
        _provider.Requests.Should().Be(3);
        server.Output.Should().Contain("the provider is throttling or failing");
        var search = await (await client.PostJsonAsync("/v1/search", new { query = "throttled providers", knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);
        search.GetProperty("mode").GetString().Should().Be("hybrid", "the document's vectors were stored once the provider accepted");
    }

    /// <summary>A loopback OpenAI-compatible <c>POST /v1/embeddings</c> that answers 429 (with Retry-After) to its
    /// first requests, then embeddings (float or base64, as requested).</summary>
    private sealed class ThrottlingEmbeddings(int throttledRequests) : LoopbackHttpServer
    {
        private readonly int _throttled = throttledRequests;
        private int _requests;

        public Uri Endpoint => new(BaseAddress, "v1");
        public int Requests => Volatile.Read(ref _requests);

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            var response = context.Response;
            var body = await JsonNode.ParseAsync(context.Request.InputStream);
            if (Interlocked.Increment(ref _requests) <= _throttled)
            {
                response.StatusCode = 429;
                response.AddHeader("Retry-After", "1");
                await Write(response, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""");
                return;
            }
            var inputs = body!["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
            var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
            var data = new JsonArray();
            for (var i = 0; i < inputs.Count; i++)
            {
                var vector = Enumerable.Range(0, 8).Select(d => (float)((inputs[i].Length + d) % 5 + 1)).ToArray();
                JsonNode embedding = base64
                    ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()))
                    : new JsonArray(vector.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
                data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
            }
            var reply = new JsonObject
            {
                ["object"] = "list",
                ["data"] = data,
                ["model"] = "fake-embedder",
                ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 },
            };
            await Write(response, reply.ToJsonString());
        }

        private static async Task Write(HttpListenerResponse response, string json)
        {
            response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(json);
            await response.OutputStream.WriteAsync(bytes);
        }
    }
}
