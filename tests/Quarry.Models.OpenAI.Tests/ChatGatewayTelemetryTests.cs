using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Testing;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>What the gateway reports: the "llm.generate" span and the retry, fallback, breaker and token counters. Model
/// names are unique to this class, as the meter and activity source are process-wide.</summary>
public sealed class ChatGatewayTelemetryTests : IAsyncLifetime
{
    private readonly FakeChatServer _primary = new();
    private readonly FakeChatServer _secondary = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener = new();
    private ServiceProvider? _services;

    public ChatGatewayTelemetryTests()
    {
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Quarry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "llm.generate" && (activity.GetTagItem("quarry.tenant") as string) == "telemetry-tenant")
                    _spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Quarry" && instrument.Name.StartsWith("quarry.generate.", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagged = new Dictionary<string, object?>();
            foreach (var tag in tags)
                tagged[tag.Key] = tag.Value;
            if (tagged.Values.Any(v => v is string s && s.Contains("tele-", StringComparison.Ordinal)))
                _measurements.Enqueue((instrument.Name, value, tagged));
        });
        _meterListener.Start();
    }

    private long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(m => m.Value);

    [Fact]
    public async Task A_degraded_call_reports_its_span_retries_breaker_fallback_and_tokens()
    {
        _primary.Default = ChatReply.Status(503);
        _secondary.Then(ChatReply.Answer("Two years [1].", promptTokens: 40, completionTokens: 6));
        _services = GatewayHost.Build(_primary, _secondary, null, [
            ("Providers:0:Model", "tele-big"),
            ("Providers:1:Model", "tele-small"),
            ("Providers:0:MaxRetries", "1"),
            ("Providers:0:CircuitBreaker:FailureRatio", "1"),
            ("Providers:0:CircuitBreaker:MinimumThroughput", "2"),
        ]);
        _services.GetRequiredService<IStartupValidator>().Validate();
        var gateway = _services.GetRequiredService<IChatModel>();

        var completion = await gateway.CompleteAsync(
            new ChatRequest([new ChatMessage(ChatRole.User, "How long?")], 50, new TenantId("telemetry-tenant")), CancellationToken.None);

        completion.Degraded.Should().Be("openai:tele-big failed (503 ×2) → openai:tele-small");
        var span = _spans.Should().ContainSingle().Subject;
        span.GetTagItem("quarry.generate.model").Should().Be("openai:tele-small");
        span.GetTagItem("quarry.generate.degraded").Should().Be(completion.Degraded);
        span.GetTagItem("quarry.generate.input_tokens").Should().Be(40);
        span.GetTagItem("quarry.generate.output_tokens").Should().Be(6);
        span.Status.Should().Be(ActivityStatusCode.Unset, "the call was answered");
        _meterListener.RecordObservableInstruments();
        Sum("quarry.generate.retries", ("model", "openai:tele-big")).Should().Be(1);
        Sum("quarry.generate.breaker.transitions", ("model", "openai:tele-big"), ("state", "open")).Should().Be(1);
        Sum("quarry.generate.fallbacks", ("from", "openai:tele-big"), ("to", "openai:tele-small")).Should().Be(1);
        Sum("quarry.generate.tokens", ("model", "openai:tele-small"), ("direction", "input")).Should().Be(40);
        Sum("quarry.generate.tokens", ("model", "openai:tele-small"), ("direction", "output")).Should().Be(6);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
        if (_services is not null)
            await _services.DisposeAsync();
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
    }
}
