using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Quarry.Server.Tests.Observability;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Model routing, prices, usage and quotas through the real server with two loopback OpenAI-compatible providers:
/// "strong" (the chain's head) and "cheap" (chosen by a rule for questions of at most six words). Tenant alpha has no
/// quota; tenant beta may spend 250 tokens a day (a loopback call costs 132).
/// </summary>
public sealed class SpendingTests : IAsyncLifetime
{
    private readonly LoopbackModels _strong = new();
    private readonly LoopbackModels _cheap = new();
    private ServerProcess _server = null!;
    private string _alphaAdmin = "", _alphaReader = "", _betaAdmin = "";

    public async Task InitializeAsync()
    {
        _server = new ServerProcess()
            .With("QUARRY_Models__Chat__Providers__0__Name", "strong")
            .With("QUARRY_Models__Chat__Providers__0__Endpoint", _strong.Endpoint.ToString())
            .With("QUARRY_Models__Chat__Providers__0__Model", "gpt-strong")
            .With("QUARRY_Models__Chat__Providers__0__ApiKey", "sk-test")
            .With("QUARRY_Models__Chat__Providers__1__Name", "cheap")
            .With("QUARRY_Models__Chat__Providers__1__Endpoint", _cheap.Endpoint.ToString())
            .With("QUARRY_Models__Chat__Providers__1__Model", "gpt-cheap")
            .With("QUARRY_Models__Chat__Providers__1__ApiKey", "sk-test")
            .With("QUARRY_Models__Chat__Fallback", "strong")
            .With("QUARRY_Models__Chat__Routing__Rules__0__Name", "short")
            .With("QUARRY_Models__Chat__Routing__Rules__0__Provider", "cheap")
            .With("QUARRY_Models__Chat__Routing__Rules__0__MaxQuestionWords", "6")
            .With("QUARRY_Spending__Prices__gpt-strong__InputPer1kTokens", "0.01")
            .With("QUARRY_Spending__Prices__gpt-strong__OutputPer1kTokens", "0.03")
            .With("QUARRY_Spending__Prices__gpt-cheap__InputPer1kTokens", "0.0005")
            .With("QUARRY_Spending__Prices__gpt-cheap__OutputPer1kTokens", "0.0015")
            .With("QUARRY_Spending__Tenants__beta__DailyTokens", "250")
            .With("QUARRY_Cache__Enabled", "false");
        _alphaAdmin = await _server.CreateKeyAsync("alpha", "admin");
        _alphaReader = await _server.CreateKeyAsync("alpha", "reader");
        _betaAdmin = await _server.CreateKeyAsync("beta", "admin");
        await _server.StartAsync();
        foreach (var key in new[] { _alphaAdmin, _betaAdmin })
        {
            using var admin = _server.Client(key);
            await admin.CreateKnowledgeBaseAsync("docs");
            await admin.IngestAsync("docs", "vacation.md", "# Vacation\n\nEmployees receive 25 vacation days per year. Unused days expire in March.");
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _strong.DisposeAsync();
        await _cheap.DisposeAsync();
    }

    [Fact]
    public async Task Routing_picks_the_cheap_model_for_short_questions_and_every_answer_carries_usage_and_cost()
    {
        using var reader = _server.Client(_alphaReader);

        var shortAnswer = await (await reader.PostJsonAsync("/v1/ask", new { question = "How many vacation days?", knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);
        var longAnswer = await (await reader.PostJsonAsync("/v1/ask",
            new { question = "How many vacation days does an employee receive in one year of work here?", knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);

        shortAnswer.GetProperty("model").GetString().Should().Be("openai:gpt-cheap");
        longAnswer.GetProperty("model").GetString().Should().Be("openai:gpt-strong");
        shortAnswer.GetProperty("usage").GetProperty("inputTokens").GetInt32().Should().Be(LoopbackModels.PromptTokens);
        // 120 × 0.0005/1k + 12 × 0.0015/1k and 120 × 0.01/1k + 12 × 0.03/1k
        shortAnswer.GetProperty("cost").GetProperty("amount").GetDecimal().Should().Be(0.000078m);
        longAnswer.GetProperty("cost").GetProperty("amount").GetDecimal().Should().Be(0.00156m);
        longAnswer.GetProperty("cost").GetProperty("currency").GetString().Should().Be("USD");

        var metrics = await _server.Client().GetStringAsync("/metrics");
        metrics.Should().Contain("ai_llm_route_total{model=\"openai:gpt-cheap\",route=\"short\"}");
        metrics.Should().Contain("ai_llm_route_total{model=\"openai:gpt-strong\",route=\"default\"}");

        using var admin = _server.Client(_alphaAdmin);
        var usage = await (await admin.GetAsync("/v1/usage")).JsonAsync(HttpStatusCode.OK);
        var rows = usage.GetProperty("days").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("model").GetString()).Should().Contain(["openai:gpt-cheap", "openai:gpt-strong"]);
        usage.GetProperty("totals").GetProperty("cost").GetDecimal().Should().BeGreaterThanOrEqualTo(0.000078m + 0.00156m);
        (await reader.GetAsync("/v1/usage")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Only_admin_keys_may_name_the_model_and_an_unknown_one_is_a_400()
    {
        using var admin = _server.Client(_alphaAdmin);
        using var reader = _server.Client(_alphaReader);

        var chosen = await (await admin.PostJsonAsync("/v1/ask", new { question = "How many vacation days?", knowledgeBase = "docs", model = "strong", temperature = 0.2, maxTokens = 64 }))
            .JsonAsync(HttpStatusCode.OK);
        chosen.GetProperty("model").GetString().Should().Be("openai:gpt-strong", "the caller's choice beats the routing rule");

        await (await reader.PostJsonAsync("/v1/ask", new { question = "How many vacation days?", knowledgeBase = "docs", model = "strong" }))
            .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.PostJsonAsync("/v1/ask", new { question = "How many vacation days?", knowledgeBase = "docs", model = "ghost" }))
            .ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
        await (await admin.PostJsonAsync("/v1/ask", new { question = "How many vacation days?", knowledgeBase = "docs", temperature = 5 }))
            .ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task A_tenant_over_its_token_quota_gets_429_before_any_provider_call_on_both_ask_paths()
    {
        using var beta = _server.Client(_betaAdmin);
        var body = new { question = "How many vacation days does an employee receive in one year of work here?", knowledgeBase = "docs" };
        (await beta.PostJsonAsync("/v1/ask", body)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await beta.PostJsonAsync("/v1/ask", body)).StatusCode.Should().Be(HttpStatusCode.OK, "132 tokens used of 250");
        var calls = _strong.Requests.Count + _cheap.Requests.Count;

        var refused = await beta.PostJsonAsync("/v1/ask", body);
        var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests, "quota-exceeded");
        problem.GetProperty("quota").GetString().Should().Be("daily-tokens");
        refused.Headers.RetryAfter!.Delta!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromDays(1));
        using var sse = new HttpRequestMessage(HttpMethod.Post, "/v1/ask") { Content = JsonContent(body) };
        sse.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        (await beta.SendAsync(sse)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "a stream is refused before its evidence is sent");
        (await beta.PostJsonAsync("/v1/chat/completions", new { model = "docs", messages = new[] { new { role = "user", content = "vacation days?" } } }))
            .StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (_strong.Requests.Count + _cheap.Requests.Count).Should().Be(calls, "no provider was called for a refused request");

        using var alpha = _server.Client(_alphaReader);
        (await alpha.PostJsonAsync("/v1/ask", body)).StatusCode.Should().Be(HttpStatusCode.OK, "another tenant's quota is its own");
    }

    [Fact]
    public async Task The_OpenAI_facade_reports_usage_and_OpenAIs_error_object()
    {
        using var reader = _server.Client(_alphaReader);
        var completion = await (await reader.PostJsonAsync("/v1/chat/completions",
            new { model = "docs", messages = new[] { new { role = "user", content = "How many vacation days does an employee receive per year?" } }, max_tokens = 100 }))
            .JsonAsync(HttpStatusCode.OK);
        completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(LoopbackModels.PromptTokens);
        completion.GetProperty("usage").GetProperty("total_tokens").GetInt32().Should().Be(LoopbackModels.PromptTokens + LoopbackModels.CompletionTokens);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent(new
            {
                model = "docs", stream = true, stream_options = new { include_usage = true },
                messages = new[] { new { role = "user", content = "How many vacation days does an employee receive per year?" } },
            }),
        };
        var stream = await (await reader.SendAsync(request)).Content.ReadAsStringAsync();
        var chunks = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        chunks[^1].Should().Be("[DONE]");
        using var last = JsonDocument.Parse(chunks[^2]);
        last.RootElement.GetProperty("choices").GetArrayLength().Should().Be(0);
        last.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(LoopbackModels.CompletionTokens);

        using var stranger = _server.Client("qk_not_a_key");
        var denied = await stranger.PostJsonAsync("/v1/chat/completions", new { model = "docs", messages = new[] { new { role = "user", content = "hi" } } });
        var error = (await denied.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("error");
        error.GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        error.GetProperty("code").GetString().Should().Be("invalid_api_key");
    }

    [Fact]
    public async Task A_summary_is_map_reduced_by_a_model_and_cited_and_small_talk_calls_nothing()
    {
        using var reader = _server.Client(_alphaReader);
        var calls = _strong.Requests.Count + _cheap.Requests.Count;

        var hello = await (await reader.PostJsonAsync("/v1/ask", new { question = "Hello!", knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);
        hello.GetProperty("route").GetString().Should().Be("chitchat");
        hello.GetProperty("citations").GetArrayLength().Should().Be(0);
        (_strong.Requests.Count + _cheap.Requests.Count).Should().Be(calls, "small talk needs neither retrieval nor a model");

        var summary = await (await reader.PostJsonAsync("/v1/ask", new { question = "Summarize the vacation policy", knowledgeBase = "docs" })).JsonAsync(HttpStatusCode.OK);
        summary.GetProperty("route").GetString().Should().Be("summary", summary.ToString());
        summary.GetProperty("grounded").GetBoolean().Should().BeTrue(summary.ToString());
        summary.GetProperty("citations")[0].GetProperty("quote").GetString().Should().Contain("25 vacation days");
        summary.GetProperty("model").GetString().Should().Be("openai:gpt-cheap", "routing applies to the summary's model calls too (four words)");
        summary.GetProperty("usage").GetProperty("inputTokens").GetInt32().Should().Be(LoopbackModels.PromptTokens, "one map call for a short document");
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
