using System.Net;
using System.Text.RegularExpressions;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>The Prometheus scrape endpoint of a real server after real traffic: every documented series, with exactly
/// its documented label keys, plus the standard ASP.NET Core, runtime and Quarry meters.</summary>
[Collection(ObservedCollection.Name)]
public sealed partial class MetricsTests(ObservedServer fixture)
{
    [Fact]
    public async Task Every_documented_series_is_scraped_with_its_labels_after_traffic()
    {
        var text = await fixture.ScrapeAsync();
        var model = LoopbackModels.ChatModelId;

        Value(text, "ai_request_total", ("tenant", "default"), ("route", "search"), ("model", "none")).Should().Be(1);
        Value(text, "ai_request_total", ("tenant", "default"), ("route", "ask"), ("model", model)).Should().Be(2);
        Value(text, "ai_request_total", ("tenant", "default"), ("route", "ask_stream"), ("model", model)).Should().Be(1);
        Value(text, "ai_request_total", ("tenant", "default"), ("route", "chat_completions"), ("model", model)).Should().Be(1);
        Value(text, "ai_request_total", ("tenant", "default"), ("route", "chat_completions_stream"), ("model", model)).Should().Be(1);

        Value(text, "ai_request_latency_ms_count", ("route", "ask")).Should().Be(2);
        Value(text, "ai_request_latency_ms_bucket", ("route", "ask"), ("le", "+Inf")).Should().Be(2);
        foreach (var index in new[] { "keyword", "vector", "hybrid", "keyword.sqlite" })
            Value(text, "ai_retrieval_latency_ms_count", ("index", index)).Should().Be(6, $"six retrievals ran through index {index}");
        Series(text, "ai_retrieval_latency_ms_count").Should().Contain(s => s.Labels["index"].StartsWith("vector.", StringComparison.Ordinal));

        Value(text, "ai_llm_latency_ms_count", ("provider", "loopback"), ("model", model)).Should().Be(5, "five answers were generated");
        Value(text, "ai_prompt_tokens_total", ("model", model)).Should().Be(5 * LoopbackModels.PromptTokens);
        Value(text, "ai_completion_tokens_total", ("model", model)).Should().Be(5 * LoopbackModels.CompletionTokens);
        Value(text, "ai_cache_hit_total", ("layer", "embedding")).Should().BeGreaterThan(0, "the same question was embedded more than once");
        Value(text, "ai_cache_miss_total", ("layer", "embedding")).Should().BeGreaterThan(0);
        Series(text, "ai_index_job_backlog").Should().ContainSingle().Which.Labels.Should().Equal(new Dictionary<string, string> { ["topic"] = "ingestion" });

        // The standard meters come along: ASP.NET Core, the runtime, and Quarry's own quarry.* instruments.
        text.Should().Contain("http_server_request_duration_seconds_bucket").And.Contain("dotnet_gc_collections_total")
            .And.Contain("quarry_answers_total").And.Contain("quarry_stage_duration_milliseconds_bucket");
        // Exact labels: no scope labels are added to the documented series.
        text.Should().NotContain("otel_scope_name");
    }

    [Fact]
    public async Task The_scrape_needs_no_key_and_problems_carry_the_trace_id_of_the_response()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        (await anonymous.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);

        var missing = await fixture.Client.GetAsync("/v1/knowledge-bases/no-such-kb");
        var trace = missing.Headers.GetValues("X-Trace-Id").Single();
        trace.Should().MatchRegex("^[0-9a-f]{32}$");
        (await missing.ProblemAsync(HttpStatusCode.NotFound, "not-found")).GetProperty("traceId").GetString().Should().Be(trace);
    }

    [Fact]
    public void Each_request_leaves_one_json_summary_line_with_its_trace_id_and_no_raw_question()
    {
        var lines = fixture.Server.Output.Split('\n').Where(l => l.Contains("\"EventId\":6100", StringComparison.Ordinal)).ToList();
        lines.Should().HaveCount(6, fixture.Server.Output);
        var ask = lines.Single(l => l.Contains(fixture.AskTraceId, StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(ask);
        var state = json.RootElement.GetProperty("State");
        state.GetProperty("route").GetString().Should().Be("ask");
        state.GetProperty("tenant_id").GetString().Should().Be("default");
        state.GetProperty("kb_id").GetString().Should().StartWith("kb_", "the knowledge base is logged by id");
        state.GetProperty("model_name").GetString().Should().Be(LoopbackModels.ChatModelId);
        state.GetProperty("prompt_tokens").GetInt64().Should().Be(LoopbackModels.PromptTokens);
        state.GetProperty("status").GetInt32().Should().Be(200);
        state.GetProperty("query_hash").GetString().Should().MatchRegex("^[0-9a-f]{16}$");
        fixture.Server.Output.Should().NotContain(ObservedServer.Question, "questions are hashed in logs by default");
    }

    internal sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);

    internal static List<Sample> Series(string text, string name) =>
        text.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name)
            .Select(m => new Sample(
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
                double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    /// <summary>The value of the one sample whose labels are exactly these.</summary>
    internal static double Value(string text, string name, params (string Key, string Value)[] labels)
    {
        var expected = labels.ToDictionary(l => l.Key, l => l.Value);
        var matches = Series(text, name).Where(s => s.Labels.Count == expected.Count && expected.All(e => s.Labels.TryGetValue(e.Key, out var v) && v == e.Value)).ToList();
        matches.Should().ContainSingle($"{name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} should be scraped exactly once:\n{string.Join("\n", text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)))}");
        return matches[0].Value;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[^ ]+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
