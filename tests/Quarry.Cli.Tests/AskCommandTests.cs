using System.Text.Json;
using Quarry.Cli.Tests.TestSupport;
using Quarry.Testing;

namespace Quarry.Cli.Tests;

/// <summary>
/// `quarry ask` as a user runs it: offline (extractive), and with a chat model configured through environment
/// variables, served by a loopback server that speaks OpenAI's chat-completions protocol.
/// </summary>
public sealed class AskCommandTests : IAsyncDisposable
{
    private readonly QuarryProcess _quarry = new();
    private readonly FakeChatServer _model = new();

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        _quarry.Dispose();
    }

    private async Task IngestAsync()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"),
            "# Refund policy\n\n## Timing\n\nRefunds are paid within 14 days of receiving the returned item.\n\n## Exceptions\n\nGift cards cannot be refunded.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"),
            "# Shipping\n\nParcels ship within two working days. Express delivery costs 9 euros.\n");
        (await _quarry.RunAsync("ingest", dir, "--kb", "help")).ExitCode.Should().Be(0);
    }

    private QuarryProcess WithModel() => _quarry
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__Name", "fake")
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__Endpoint", _model.Endpoint.ToString())
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__Model", "gpt-test")
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test")
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__MaxRetries", "1")
        .WithEnvironment("QUARRY_Models__Chat__Providers__0__RetryDelay", "00:00:00.010");

    [Fact]
    public async Task Offline_the_extractive_answer_cites_the_exact_sentence()
    {
        await IngestAsync();

        var result = await _quarry.RunAsync("ask", "When are refunds paid?", "--kb", "help", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var answer = result.Json;
        answer.GetProperty("model").GetString().Should().Be("extractive");
        answer.GetProperty("grounded").GetBoolean().Should().BeTrue();
        answer.GetProperty("text").GetString().Should().Be("Refunds are paid within 14 days of receiving the returned item. [1]");
        var citation = answer.GetProperty("citations")[0];
        citation.GetProperty("quote").GetString().Should().Be("Refunds are paid within 14 days of receiving the returned item.");
        citation.GetProperty("title").GetString().Should().Be("Refund policy");
        citation.GetProperty("section").GetString().Should().Be("Refund policy > Timing");
        var source = File.ReadAllText(Path.Combine(_quarry.WorkDirectory, "kb", "refunds.md"));
        source[citation.GetProperty("start").GetInt32()..citation.GetProperty("end").GetInt32()].Should().Be(citation.GetProperty("quote").GetString());
    }

    [Fact]
    public async Task Offline_text_output_lists_numbered_sources_and_abstains_plainly()
    {
        await IngestAsync();

        var answered = await _quarry.RunAsync("ask", "What does express delivery cost?");
        var unknown = await _quarry.RunAsync("ask", "Who painted the Mona Lisa?");

        answered.Stdout.Should().Contain("Express delivery costs 9 euros. [1]").And.Contain("Sources").And.Contain("[1] Shipping");
        unknown.ExitCode.Should().Be(0);
        unknown.Stdout.Should().StartWith("Not found in the knowledge base.");
        unknown.Stdout.Should().NotContain("Sources");
    }

    [Fact]
    public async Task The_model_answer_is_verified_and_its_citation_to_missing_evidence_repaired()
    {
        await IngestAsync();
        _model.Then(ChatReply.Answer("Refunds are paid within 14 days of receiving the returned item [7]. Gift cards cannot be refunded [1]."));

        var result = await WithModel().RunAsync("ask", "When are refunds paid?", "--kb", "help", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var answer = result.Json;
        answer.GetProperty("model").GetString().Should().Contain("gpt-test");
        answer.GetProperty("text").GetString().Should().NotContain("[7]");
        answer.GetProperty("grounded").GetBoolean().Should().BeTrue(result.ToString());
        answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("quote").GetString()).Should()
            .Contain("Refunds are paid within 14 days of receiving the returned item.").And.Contain("Gift cards cannot be refunded.");
        answer.GetProperty("usage").GetProperty("outputTokens").GetInt32().Should().BeGreaterThan(0);

        var request = _model.Requests.Single();
        request.Messages[0].Role.Should().Be("system");
        request.Messages[^1].Content.Should().Contain("[1] Refund policy").And.EndWith("Question: When are refunds paid?");
    }

    [Fact]
    public async Task An_unsupported_model_claim_makes_the_answer_ungrounded_and_is_reported()
    {
        await IngestAsync();
        _model.Then(ChatReply.Answer("Refunds are paid within 14 days [1]. Premium members also receive free lifetime insurance on televisions [1]."));

        var answer = (await WithModel().RunAsync("ask", "When are refunds paid?", "--json")).Json;

        answer.GetProperty("grounded").GetBoolean().Should().BeFalse();
        answer.GetProperty("unsupportedSentences")[0].GetString().Should().Contain("lifetime insurance");
    }

    [Fact]
    public async Task A_model_that_finds_nothing_abstains()
    {
        await IngestAsync();
        _model.Then(ChatReply.Answer("NOT FOUND"));

        var answer = (await WithModel().RunAsync("ask", "When are refunds paid?", "--json")).Json;

        answer.GetProperty("abstained").GetBoolean().Should().BeTrue();
        answer.GetProperty("citations").GetArrayLength().Should().Be(0);
        answer.GetProperty("text").GetString().Should().Be("Not found in the knowledge base.");
    }

    [Fact]
    public async Task When_the_model_is_down_the_extractive_answerer_answers_and_says_so()
    {
        await IngestAsync();
        _model.Default = ChatReply.Status(503, message: "overloaded");

        var result = await WithModel().RunAsync("ask", "When are refunds paid?", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var answer = result.Json;
        answer.GetProperty("model").GetString().Should().Be("extractive");
        answer.GetProperty("grounded").GetBoolean().Should().BeTrue();
        answer.GetProperty("degraded").GetString().Should().Contain("→ extractive");
        _model.Requests.Count.Should().Be(2, "one retry, then the fallback");
    }

    [Fact]
    public async Task Streaming_sends_evidence_deltas_citations_then_done()
    {
        await IngestAsync();
        _model.Then(ChatReply.Answer("Express delivery costs 9 euros [1]."));

        var result = await WithModel().RunAsync("ask", "What does express delivery cost?", "--stream", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var events = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var names = events.Select(e => e.GetProperty("event").GetString()).ToList();
        names[0].Should().Be("evidence");
        names[^2].Should().Be("citations");
        names[^1].Should().Be("done");
        names.Skip(1).SkipLast(2).Should().NotBeEmpty().And.OnlyContain(n => n == "delta");
        string.Concat(events.Where(e => e.GetProperty("event").GetString() == "delta").Select(e => e.GetProperty("data").GetProperty("text").GetString()))
            .Should().Be("Express delivery costs 9 euros [1].");
        events[^1].GetProperty("data").GetProperty("answer").GetProperty("citations")[0].GetProperty("quote").GetString()
            .Should().Be("Express delivery costs 9 euros.");
        _model.Requests.Single().Stream.Should().BeTrue();
    }

    [Fact]
    public async Task A_stream_that_stalls_mid_answer_is_replaced_by_the_extractive_answer()
    {
        await IngestAsync();
        _model.Then(ChatReply.StallAfter("Express delivery costs 9 euros [1].", chunks: 2));

        var result = await WithModel().WithEnvironment("QUARRY_Models__Chat__StreamIdleTimeout", "00:00:04").RunAsync("ask", "What does express delivery cost?", "--stream", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var done = JsonDocument.Parse(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement.GetProperty("data").GetProperty("answer");
        done.GetProperty("model").GetString().Should().Be("extractive");
        done.GetProperty("degraded").GetString().Should().Contain("mid-answer");
        done.GetProperty("text").GetString().Should().Be("Express delivery costs 9 euros. [1]");
    }

    [Fact]
    public async Task Bad_questions_get_one_clear_sentence()
    {
        await IngestAsync();

        var empty = await _quarry.RunAsync("ask", "   ");
        var huge = await _quarry.RunAsync("ask", new string('x', 20_000));

        empty.ExitCode.Should().Be(2);
        empty.Stderr.Should().Contain("empty");
        huge.ExitCode.Should().Be(2);
        huge.Stderr.Should().Contain("long").And.NotContain("   at ");
    }
}
