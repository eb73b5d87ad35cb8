using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// /v1/ask and /v1/chat/completions with the real answerer (the built-in extractive one: no model is configured),
/// as JSON and as server-sent events, against the real server process.
/// </summary>
public sealed class AnswerTests(AnswerServer fixture) : IClassFixture<AnswerServer>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Ask_answers_with_citations_whose_quotes_are_exact_spans_of_the_document()
    {
        var answer = await (await _client.PostJsonAsync("/v1/ask", new { question = "How much are taxis refunded per ride?", knowledgeBase = "handbook" }))
            .JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("abstained").GetBoolean().Should().BeFalse(answer.ToString());
        answer.GetProperty("grounded").GetBoolean().Should().BeTrue();
        answer.GetProperty("model").GetString().Should().Be("extractive");
        answer.GetProperty("text").GetString().Should().Contain("40 euros").And.Contain("[1]");
        var citation = answer.GetProperty("citations")[0];
        citation.GetProperty("n").GetInt32().Should().Be(1);
        citation.GetProperty("title").GetString().Should().Be("Travel policy");

        var documentId = citation.GetProperty("documentId").GetString();
        var detail = await (await _client.GetAsync($"/v1/knowledge-bases/handbook/documents/{documentId}?include=chunks")).JsonAsync(HttpStatusCode.OK);
        var chunk = detail.GetProperty("chunks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == citation.GetProperty("chunkId").GetString());
        var (start, end) = (citation.GetProperty("start").GetInt32(), citation.GetProperty("end").GetInt32());
        start.Should().BeGreaterThanOrEqualTo(chunk.GetProperty("start").GetInt32());
        end.Should().BeLessThanOrEqualTo(chunk.GetProperty("end").GetInt32());
        var chunkText = chunk.GetProperty("text").GetString()!;
        var offset = chunkText.Length - (chunk.GetProperty("end").GetInt32() - chunk.GetProperty("start").GetInt32());
        chunkText.Substring(offset + start - chunk.GetProperty("start").GetInt32(), end - start).Should().Be(citation.GetProperty("quote").GetString());
    }

    [Fact]
    public async Task Questions_the_knowledge_base_cannot_answer_abstain_plainly()
    {
        var answer = await (await _client.PostJsonAsync("/v1/ask", new { question = "What is the orbital period of Neptune's moon Triton?", knowledgeBase = "handbook" }))
            .JsonAsync(HttpStatusCode.OK);
        answer.GetProperty("abstained").GetBoolean().Should().BeTrue(answer.ToString());
        answer.GetProperty("grounded").GetBoolean().Should().BeFalse();
        answer.GetProperty("citations").GetArrayLength().Should().Be(0);
        answer.GetProperty("abstentionReason").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Streamed_answers_send_evidence_then_deltas_then_citations_then_done()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask")
        {
            Content = JsonContent.Create(new { question = "How much are taxis refunded per ride?", knowledgeBase = "handbook" }),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");

        var events = await Sse.ReadAllAsync(response);
        var names = events.Select(e => e.Name).ToList();
        names[0].Should().Be("evidence");
        names[^2].Should().Be("citations");
        names[^1].Should().Be("done");
        names.Skip(1).SkipLast(2).Should().NotBeEmpty().And.OnlyContain(n => n == "delta");

        var done = events[^1].Data.GetProperty("answer");
        string.Concat(events.Where(e => e.Name == "delta").Select(e => e.Data.GetProperty("text").GetString()))
            .Should().Be(done.GetProperty("text").GetString());
        events[0].Data.GetProperty("evidence").GetArrayLength().Should().BeGreaterThan(0);
        events[^2].Data.GetProperty("citations").GetArrayLength().Should().Be(done.GetProperty("citations").GetArrayLength());
    }

    [Fact]
    public async Task An_invalid_streamed_question_is_a_problem_response_not_a_broken_stream()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent.Create(new { question = "   ", knowledgeBase = "handbook" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        await (await _client.SendAsync(request)).ProblemAsync(HttpStatusCode.BadRequest, "invalid-query");
    }

    [Fact]
    public async Task Chat_completions_answer_in_the_openai_shape_with_citations_in_the_extension_field()
    {
        var completion = await (await _client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "handbook",
            messages = new object[]
            {
                new { role = "system", content = "You are helpful." },
                new { role = "user", content = "Hello" },
                new { role = "assistant", content = "Hi! Ask me about the handbook." },
                new { role = "user", content = new object[] { new { type = "text", text = "How much are taxis refunded per ride?" } } },
            },
        })).JsonAsync(HttpStatusCode.OK);
        completion.GetProperty("object").GetString().Should().Be("chat.completion");
        completion.GetProperty("model").GetString().Should().Be("handbook");
        var choice = completion.GetProperty("choices")[0];
        choice.GetProperty("message").GetProperty("role").GetString().Should().Be("assistant");
        choice.GetProperty("message").GetProperty("content").GetString().Should().Contain("40 euros");
        choice.GetProperty("finish_reason").GetString().Should().Be("stop");
        completion.GetProperty("quarry_citations")[0].GetProperty("quote").GetString().Should().NotBeNullOrEmpty();
        completion.GetProperty("quarry").GetProperty("grounded").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Streamed_chat_completions_are_openai_chunks_ending_with_done()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "handbook", stream = true, messages = new[] { new { role = "user", content = "How much are taxis refunded per ride?" } } }),
        };
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var raw = await response.Content.ReadAsStringAsync();
        var data = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).ToList();
        data.Should().OnlyContain(d => d.StartsWith("data: ", StringComparison.Ordinal));
        data[^1].Should().Be("data: [DONE]");
        var chunks = data.SkipLast(1).Select(d => JsonDocument.Parse(d["data: ".Length..]).RootElement).ToList();
        chunks.Should().OnlyContain(c => c.GetProperty("object").GetString() == "chat.completion.chunk");
        chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString().Should().Be("assistant");
        var text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
        text.Should().Contain("40 euros");
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("stop");
        chunks[^1].GetProperty("quarry_citations").GetArrayLength().Should().BeGreaterThan(0);
    }
}

/// <summary>A development-mode server with a small handbook knowledge base.</summary>
public sealed class AnswerServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new();
    internal HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync("--dev");
        Client = Server.Client();
        await Client.CreateKnowledgeBaseAsync("handbook");
        await Client.IngestAsync("handbook", "travel.md", """
            # Travel policy

            ## Taxis

            Taxis are refunded up to 40 euros per ride with a receipt. Rides to the airport are refunded in full.

            ## Hotels

            Hotels are booked through the travel desk. A night costs at most 180 euros in Paris.
            """);
        await Client.IngestAsync("handbook", "security.md", """
            # Security policy

            ## Laptops

            Laptops must use full-disk encryption. Lost laptops are reported to the security team within one hour.
            """);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
