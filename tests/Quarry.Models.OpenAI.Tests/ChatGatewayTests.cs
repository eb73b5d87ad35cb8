using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Testing;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>
/// The gateway as the CLI builds it (<see cref="GatewayHost"/>), in front of two loopback servers speaking the
/// chat-completions protocol: "primary" (model gpt-big) and "secondary" (gpt-small). Time-dependent behaviour
/// runs on a <see cref="ManualTimeProvider"/>, so nothing waits on the wall clock.
/// </summary>
public sealed class ChatGatewayTests : IAsyncLifetime
{
    private const string Primary = "openai:gpt-big";
    private const string Secondary = "openai:gpt-small";

    private readonly FakeChatServer _primary = new();
    private readonly FakeChatServer _secondary = new();
    private readonly List<ServiceProvider> _providers = [];

    private static CancellationToken Ct => CancellationToken.None;

    private static ChatRequest Question(string? tenant = null) => new(
        [new ChatMessage(ChatRole.System, "Cite as [n]."), new ChatMessage(ChatRole.User, "[1] The warranty lasts two years.\n\nHow long?")],
        MaxOutputTokens: 100,
        tenant is null ? null : new TenantId(tenant));

    private IChatModel Gateway(TimeProvider? time = null, params (string Key, string? Value)[] settings)
    {
        var provider = GatewayHost.Build(_primary, _secondary, time, settings);
        _providers.Add(provider);
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<IChatModel>();
    }

    [Fact]
    public async Task The_primary_answers_when_healthy_and_nothing_is_degraded()
    {
        var gateway = Gateway();

        var completion = await gateway.CompleteAsync(Question(), Ct);

        completion.Model.Should().Be(Primary);
        completion.Degraded.Should().BeNull();
        completion.Text.Should().Be("The answer is 42 [1].");
        _primary.Requests.Should().ContainSingle().Which.Header("Authorization").Should().Be("Bearer sk-primary");
        _secondary.Requests.Should().BeEmpty();
        gateway.ModelId.Should().Be(Primary);
    }

    [Fact]
    public async Task Server_errors_and_resets_are_retried_on_the_same_provider_until_it_answers()
    {
        _primary.Then(ChatReply.Status(503)).Then(ChatReply.ConnectionReset).Then(ChatReply.Status(500)).Then(ChatReply.Answer("Two years [1]."));

        var completion = await Gateway(settings: ("Providers:0:MaxRetries", "3")).CompleteAsync(Question(), Ct);

        completion.Text.Should().Be("Two years [1].");
        completion.Degraded.Should().BeNull("retries on the primary are not a fallback");
        _primary.Requests.Should().HaveCount(4);
        _secondary.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_429_waits_exactly_as_long_as_Retry_After_asks_not_the_backoff()
    {
        var time = new ManualTimeProvider();
        _primary.Then(ChatReply.Status(429, retryAfter: "7")).Then(ChatReply.Answer("Two years [1]."));
        var gateway = Gateway(time, ("Providers:0:RetryDelay", "00:00:01"));

        var call = gateway.CompleteAsync(Question(), Ct);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        time.Advance(TimeSpan.FromSeconds(6.9));

        call.IsCompleted.Should().BeFalse();
        _primary.Requests.Should().ContainSingle("the retry waits for the server's 7 s, not the 1 s backoff");
        time.Advance(TimeSpan.FromSeconds(0.1));
        (await call.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Text.Should().Be("Two years [1].");
        _primary.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_moves_on_to_the_secondary_at_once()
    {
        _primary.Then(ChatReply.Status(429, retryAfter: "3600"));

        var completion = await Gateway(settings: ("Providers:0:MaxRetryDelay", "00:00:20")).CompleteAsync(Question(), Ct);

        completion.Model.Should().Be(Secondary);
        completion.Degraded.Should().Be($"{Primary} failed (429, Retry-After 3600 s) → {Secondary}");
        _primary.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task When_the_primary_keeps_failing_the_secondary_answers_and_the_path_is_recorded()
    {
        _primary.Default = ChatReply.Status(503);

        var completion = await Gateway().CompleteAsync(Question(), Ct);

        completion.Model.Should().Be(Secondary);
        completion.Degraded.Should().Be($"{Primary} failed (503 ×3) → {Secondary}");
        _primary.Requests.Should().HaveCount(3, "the first attempt and MaxRetries (2) retries");
        _secondary.Requests.Should().ContainSingle().Which.Model.Should().Be("gpt-small");
    }

    [Fact]
    public async Task A_refusal_such_as_401_is_not_retried_but_falls_back()
    {
        _primary.Then(ChatReply.Status(401, message: "Incorrect API key provided"));

        var completion = await Gateway().CompleteAsync(Question(), Ct);

        completion.Degraded.Should().Be($"{Primary} failed (401) → {Secondary}");
        _primary.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task The_breaker_opens_after_repeated_failures_and_closes_after_the_break()
    {
        var time = new ManualTimeProvider();
        _primary.Then(ChatReply.Status(503)).Then(ChatReply.Status(503));
        var gateway = Gateway(time,
            ("Providers:0:MaxRetries", "0"),
            ("Providers:0:CircuitBreaker:FailureRatio", "1"),
            ("Providers:0:CircuitBreaker:MinimumThroughput", "2"),
            ("Providers:0:CircuitBreaker:BreakDuration", "00:00:30"));

        (await gateway.CompleteAsync(Question(), Ct)).Degraded.Should().Be($"{Primary} failed (503) → {Secondary}");
        (await gateway.CompleteAsync(Question(), Ct)).Degraded.Should().Be($"{Primary} failed (503) → {Secondary}");
        var whileOpen = await gateway.CompleteAsync(Question(), Ct);
        time.Advance(TimeSpan.FromSeconds(29));
        var stillOpen = await gateway.CompleteAsync(Question(), Ct);
        var requestsWhileOpen = _primary.Requests.Count;
        time.Advance(TimeSpan.FromSeconds(1));
        var afterBreak = await gateway.CompleteAsync(Question(), Ct);

        whileOpen.Degraded.Should().Be($"{Primary} skipped (circuit open) → {Secondary}");
        stillOpen.Degraded.Should().Be($"{Primary} skipped (circuit open) → {Secondary}");
        requestsWhileOpen.Should().Be(2, "an open circuit sends nothing to the primary");
        afterBreak.Model.Should().Be(Primary);
        afterBreak.Degraded.Should().BeNull();
        _primary.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task An_attempt_that_exceeds_the_timeout_is_abandoned_upstream_and_falls_back()
    {
        var time = new ManualTimeProvider();
        _primary.Then(ChatReply.Hang);
        var gateway = Gateway(time, ("Providers:0:Timeout", "00:00:05"), ("Providers:0:MaxRetries", "0"));

        var call = gateway.CompleteAsync(Question(), Ct);
        await _primary.WaitForRequestsAsync(1);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));

        var completion = await call.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        completion.Degraded.Should().Be($"{Primary} failed (timed out after 5 s) → {Secondary}");
        await _primary.WaitForClientAbortsAsync(1);
    }

    [Fact]
    public async Task A_stream_passes_deltas_through_with_model_first_and_usage_last()
    {
        _primary.Then(ChatReply.Answer("Per the policy [7], two years.", promptTokens: 40, completionTokens: 6));

        var updates = await Gateway().StreamAsync(Question(), Ct).ToListAsync();

        updates[0].Model.Should().Be(Primary);
        updates[0].Degraded.Should().BeNull();
        string.Concat(updates.Select(u => u.TextDelta)).Should().Be("Per the policy [7], two years.", "the gateway passes a citation of a source that was not supplied through untouched; verification is downstream");
        updates[^1].Usage.Should().Be(new TokenUsage(40, 6));
        updates[^1].FinishReason.Should().Be("stop");
    }

    [Fact]
    public async Task A_stream_that_stalls_before_its_first_text_fails_over_and_says_so_on_the_first_update()
    {
        var time = new ManualTimeProvider();
        _primary.Then(ChatReply.StallAfter("never said", chunks: 0));
        _secondary.Then(ChatReply.Answer("Two years [1]."));
        var gateway = Gateway(time, ("StreamIdleTimeout", "00:00:10"), ("Providers:0:MaxRetries", "0"));

        await using var updates = gateway.StreamAsync(Question(), Ct).GetAsyncEnumerator(Ct);
        var first = updates.MoveNextAsync().AsTask();
        // The watchdog is armed before the request leaves: wait for the server to have it, or the stall could cut
        // the request off before it is sent.
        await _primary.WaitForRequestsAsync(1);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));

        (await first.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().BeTrue();
        updates.Current.Model.Should().Be(Secondary);
        updates.Current.Degraded.Should().Be($"{Primary} failed (stalled) → {Secondary}");
        var text = updates.Current.TextDelta;
        while (await updates.MoveNextAsync())
            text += updates.Current.TextDelta;
        text.Should().Be("Two years [1].");
        await _primary.WaitForClientAbortsAsync(1);
    }

    [Fact]
    public async Task A_stream_that_stalls_mid_answer_fails_with_the_text_so_far_and_no_fallback()
    {
        var time = new ManualTimeProvider();
        _primary.Then(ChatReply.StallAfter("The warranty lasts two years.", chunks: 3));
        var gateway = Gateway(time, ("StreamIdleTimeout", "00:00:10"));
        var received = "";

        await using var updates = gateway.StreamAsync(Question(), Ct).GetAsyncEnumerator(Ct);
        for (var i = 0; i < 3; i++)
        {
            (await updates.MoveNextAsync()).Should().BeTrue();
            received += updates.Current.TextDelta;
        }
        var next = updates.MoveNextAsync().AsTask();
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));

        var failure = (await next.Invoking(n => n.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().ThrowAsync<ChatModelException>()).Which;
        failure.Should().NotBeOfType<ChatModelUnavailableException>("text has reached the caller, so there is no failing over");
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("sent nothing for 10 s");
        received.Should().Be("The warranty lasts");
        _secondary.Requests.Should().BeEmpty();
        await _primary.WaitForClientAbortsAsync(1);
    }

    [Fact]
    public async Task Cancelling_a_call_stops_the_upstream_request_and_does_not_fall_back()
    {
        _primary.Then(ChatReply.Hang);
        using var cts = new CancellationTokenSource();
        var call = Gateway().CompleteAsync(Question(), cts.Token);
        await _primary.WaitForRequestsAsync(1);

        await cts.CancelAsync();

        await call.Invoking(c => c.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().ThrowAsync<OperationCanceledException>();
        await _primary.WaitForClientAbortsAsync(1);
        _secondary.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancelling_a_stream_mid_answer_stops_the_upstream_request()
    {
        _primary.Then(ChatReply.StallAfter("The warranty lasts two years.", chunks: 2));
        using var cts = new CancellationTokenSource();
        await using var updates = Gateway().StreamAsync(Question(), cts.Token).GetAsyncEnumerator(Ct);
        (await updates.MoveNextAsync()).Should().BeTrue();
        (await updates.MoveNextAsync()).Should().BeTrue();
        var next = updates.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        await next.Invoking(n => n.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().ThrowAsync<OperationCanceledException>();
        await _primary.WaitForClientAbortsAsync(1);
        _secondary.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_tenant_over_its_rate_limit_is_refused_without_calling_any_provider_while_others_go_on()
    {
        var time = new ManualTimeProvider();
        var gateway = Gateway(time, ("TenantRateLimit:RequestsPerMinute", "60"), ("TenantRateLimit:Burst", "2"));

        await gateway.CompleteAsync(Question("acme"), Ct);
        await gateway.CompleteAsync(Question("acme"), Ct);
        var act = () => gateway.CompleteAsync(Question("acme"), Ct);

        var refused = (await act.Should().ThrowAsync<ChatRateLimitedException>()).Which;
        refused.Should().BeAssignableTo<ChatModelUnavailableException>("the caller can answer extractively instead");
        refused.StatusCode.Should().Be(429);
        refused.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
        refused.Degraded.Should().Be("tenant 'acme' over its chat rate limit");
        _primary.Requests.Should().HaveCount(2);
        (await gateway.CompleteAsync(Question("globex"), Ct)).Model.Should().Be(Primary, "each tenant has its own bucket");
        time.Advance(TimeSpan.FromSeconds(1));
        (await gateway.CompleteAsync(Question("acme"), Ct)).Model.Should().Be(Primary, "the bucket refills at one request per second");
        _primary.Requests.Should().HaveCount(4);
        await gateway.Invoking(g => g.StreamAsync(Question("acme"), Ct).ToListAsync().AsTask()).Should().ThrowAsync<ChatRateLimitedException>();
    }

    [Fact]
    public async Task A_provider_over_its_own_rate_limit_is_skipped_for_the_next_one()
    {
        var gateway = Gateway(settings: [("Providers:0:RateLimit:RequestsPerMinute", "1"), ("Providers:0:RateLimit:Burst", "1")]);

        var first = await gateway.CompleteAsync(Question(), Ct);
        var second = await gateway.CompleteAsync(Question(), Ct);

        first.Degraded.Should().BeNull();
        second.Degraded.Should().Be($"{Primary} skipped (rate limited) → {Secondary}");
        _primary.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task When_every_provider_fails_the_caller_gets_the_whole_path_to_fall_back_with()
    {
        _primary.Default = ChatReply.Status(503, retryAfter: "2");
        _secondary.Default = ChatReply.Status(500);

        var act = () => Gateway().CompleteAsync(Question(), Ct);
        var stream = () => Gateway().StreamAsync(Question(), Ct).ToListAsync().AsTask();

        var failure = (await act.Should().ThrowAsync<ChatModelUnavailableException>()).Which;
        failure.Degraded.Should().Be($"{Primary} failed (503 ×3) → {Secondary} failed (500 ×3)");
        failure.Message.Should().Contain(failure.Degraded);
        failure.IsTransient.Should().BeTrue();
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(2));
        (await stream.Should().ThrowAsync<ChatModelUnavailableException>()).Which.Degraded.Should().Be(failure.Degraded);
    }

    [Fact]
    public async Task The_context_window_is_the_smallest_in_the_chain()
    {
        var gateway = Gateway(settings: [("Providers:0:ContextWindow", "128000"), ("Providers:1:ContextWindow", "16000")]);

        gateway.ContextWindow.Should().Be(16000, "the prompt must fit whichever model ends up answering");
        await Task.CompletedTask;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
            await provider.DisposeAsync();
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
    }
}
