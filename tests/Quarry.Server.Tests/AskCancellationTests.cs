using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.AI;
using Quarry.Generation;
using AI = Microsoft.Extensions.AI;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// A client that disconnects mid-stream stops the work: the server runs in this process on real Kestrel (loopback
/// port) with a chat model that streams one token and then waits, so the test can see its call being cancelled.
/// </summary>
public sealed class AskCancellationTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("quarry-cancel-").FullName;
    private readonly StallingChatModel _model = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = QuarryServer.Build(
            ["--urls", "http://127.0.0.1:0", "--data", _data, "--dev", "--Server:Limits:ConcurrentAsks=1", "--Server:Workers:PollInterval=00:00:00.100"],
            // The app's own IChatClient as the gateway's only provider.
            services => services.AddQuarryChatClient("stalling", _ => _model, _ => 8192)
                .AddQuarryChatGateway(o => o.Providers.Add(new ChatProviderOptions { Name = "stalling" })));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        await _client.CreateKnowledgeBaseAsync("handbook");
        await _client.IngestAsync("handbook", "travel.md", "# Travel policy\n\n## Taxis\n\nTaxis are refunded up to 40 euros per ride with a receipt.\n");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Disconnecting_mid_stream_cancels_the_model_call_and_frees_the_tenants_ask_slot()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent.Create(new { question = "How much are taxis refunded?", knowledgeBase = "handbook" }) })
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            await foreach (var e in Sse.ReadAsync(response))
            {
                if (e.Name == "delta") break;
            }
            _model.Started.Task.IsCompleted.Should().BeTrue();
            _model.Cancelled.Task.IsCompleted.Should().BeFalse("the stream is still open");
            // Leaving the using block closes the connection mid-stream.
        }

        await _model.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The tenant's only concurrent-ask permit is released once the aborted request has unwound: a new question
        // is accepted (429 only briefly, while the cancelled request finishes).
        _model.Reset(stall: false);
        HttpResponseMessage next;
        var attempts = 0;
        do
        {
            if (attempts++ > 0) await Task.Delay(100);
            next = await _client.PostAsJsonAsync("/v1/ask", new { question = "How much are taxis refunded?", knowledgeBase = "handbook" });
        }
        while (next.StatusCode == HttpStatusCode.TooManyRequests && attempts < 50);
        var answer = await next.JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("model").GetString().Should().Be(StallingChatModel.Id);
    }

    [Fact]
    public async Task A_cached_answer_is_served_while_the_tenants_only_slot_is_busy_and_a_new_question_is_refused()
    {
        _model.Reset(stall: false);
        var cached = new { question = "What is the refund limit for taxis?", knowledgeBase = "handbook" };
        (await _client.PostAsJsonAsync("/v1/ask", cached)).StatusCode.Should().Be(HttpStatusCode.OK);

        _model.Reset(stall: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent.Create(new { question = "Are taxis refunded?", knowledgeBase = "handbook" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var stalled = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await _model.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var hit = await (await _client.PostAsJsonAsync("/v1/ask", cached)).JsonAsync(HttpStatusCode.OK);
        hit.GetProperty("cache").GetProperty("hit").GetBoolean().Should().BeTrue("a hit takes no generation slot");
        var refused = await _client.PostAsJsonAsync("/v1/ask", new { question = "Which receipt is needed for taxis?", knowledgeBase = "handbook" });
        await refused.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
    }

    /// <summary>Streams "Taxis [1]" and then, when stalling, waits until its call is cancelled.</summary>
    private sealed class StallingChatModel : IChatClient
    {
        public const string Id = "test:stalling";
        private bool _stall = true;

        public TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Cancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Reset(bool stall)
        {
            _stall = stall;
            Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new AI.ChatMessage(AI.ChatRole.Assistant, "Taxis are refunded up to 40 euros per ride [1]."))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 },
            });

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            yield return new ChatResponseUpdate(AI.ChatRole.Assistant, "Taxis are refunded ");
            if (_stall)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
            }
            yield return new ChatResponseUpdate(AI.ChatRole.Assistant, "up to 40 euros per ride [1].") { FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", defaultModelId: "stalling") : null;

        public void Dispose()
        {
        }
    }
}
