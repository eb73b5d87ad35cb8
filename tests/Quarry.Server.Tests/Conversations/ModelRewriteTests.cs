using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Conversations;

/// <summary>
/// With a chat model configured (a loopback OpenAI-compatible provider), a follow-up in a session is rewritten by the
/// model in its own short prompt (own token budget), plain and streamed, and retrieval uses the rewrite. When the
/// model's rewrite is unusable, the rule rewrites instead.
/// </summary>
public sealed class ModelRewriteTests(ModelRewriteTests.Fixture fixture) : IClassFixture<ModelRewriteTests.Fixture>
{
    private const string ModelRewrite = "What does the Zephyr Bridge carry?";

    [Fact]
    public async Task The_model_rewrites_a_follow_up_with_its_own_prompt_and_budget_and_retrieval_uses_it()
    {
        using var client = fixture.Server.Client();
        var session = await SessionTests.CreateAsync(client, "docs");
        (await client.PostJsonAsync("/v1/ask", new { question = SessionTests.First, sessionId = session })).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = fixture.Models.ChatRequests.Count;

        var answer = await (await client.PostJsonAsync("/v1/ask", new { question = SessionTests.FollowUp, sessionId = session })).JsonAsync(HttpStatusCode.OK);

        answer.GetProperty("rewrittenQuery").GetString().Should().Be(ModelRewrite);
        answer.GetProperty("model").GetString().Should().Be(LoopbackModels.ChatModelId);
        answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("title").GetString()).Should().NotBeEmpty().And.OnlyContain(t => t == "Zephyr Bridge");
        var rewrite = fixture.Models.ChatRequests.Skip(before).First(IsRewrite);
        rewrite["max_tokens"]?.GetValue<int>().Should().Be(48, "the rewrite has its own output budget (Conversations:Rewrite:MaxOutputTokens)");
        rewrite["messages"]![1]!["content"]!.GetValue<string>().Should().Contain("User: " + SessionTests.First).And.Contain("Last question: " + SessionTests.FollowUp);
    }

    [Fact]
    public async Task A_streamed_follow_up_carries_the_model_rewrite_in_its_final_answer()
    {
        using var client = fixture.Server.Client();
        var session = await SessionTests.CreateAsync(client, "docs");
        (await client.PostJsonAsync("/v1/ask", new { question = SessionTests.First, sessionId = session })).StatusCode.Should().Be(HttpStatusCode.OK);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { question = SessionTests.FollowUp, sessionId = session }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var stream = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        var done = stream.Split("\n\n").Single(e => e.StartsWith("event: done", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(done[(done.IndexOf("data: ", StringComparison.Ordinal) + 6)..]);
        json.RootElement.GetProperty("answer").GetProperty("rewrittenQuery").GetString().Should().Be(ModelRewrite);
    }

    [Fact]
    public async Task An_unusable_model_rewrite_falls_back_to_the_rule()
    {
        using var client = fixture.Server.Client();
        var session = await SessionTests.CreateAsync(client, "docs");
        (await client.PostJsonAsync("/v1/ask", new { question = SessionTests.First, sessionId = session })).StatusCode.Should().Be(HttpStatusCode.OK);

        var answer = await (await client.PostJsonAsync("/v1/ask", new { question = "And who built it?", sessionId = session })).JsonAsync(HttpStatusCode.OK);

        answer.GetProperty("rewrittenQuery").GetString().Should().StartWith("And who built it?").And.Contain("Zephyr");
        fixture.Server.Output.Should().Contain("returned no usable query");
    }

    private static bool IsRewrite(System.Text.Json.Nodes.JsonNode body) =>
        body["messages"]![0]!["content"]!.GetValue<string>().StartsWith("You rewrite the last question", StringComparison.Ordinal);

    public sealed class Fixture : IAsyncLifetime
    {
        // The rewrite prompt gets the model's rewrite; "who built it" gets an empty reply (unusable); answers as usual.
        internal LoopbackModels Models { get; } = new(reply: prompt =>
            !prompt.StartsWith("You rewrite the last question", StringComparison.Ordinal) ? null
            : prompt.Contains("Last question: And who built it?", StringComparison.Ordinal) ? " " : ModelRewrite);

        internal ServerProcess Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Server = new ServerProcess()
                .With("QUARRY_Models__Chat__Providers__0__Name", "loopback")
                .With("QUARRY_Models__Chat__Providers__0__Endpoint", Models.Endpoint.ToString())
                .With("QUARRY_Models__Chat__Providers__0__Model", LoopbackModels.ChatModel)
                .With("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test")
                .With("QUARRY_Conversations__Rewrite__MaxOutputTokens", "48")
                .With("QUARRY_Cache__Enabled", "false");
            await Server.StartAsync("--dev");
            using var client = Server.Client();
            await client.CreateKnowledgeBaseAsync("docs");
            await client.IngestAsync("docs", "zephyr.md", SessionTests.Zephyr);
            await client.IngestAsync("docs", "harbor.md", SessionTests.Harbor);
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            await Models.DisposeAsync();
        }
    }
}
