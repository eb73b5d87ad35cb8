using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;
using Quarry.Documents;

namespace Quarry.Generation;

/// <summary>
/// The <see cref="IChatModel"/> the rest of Quarry talks to: admits the tenant (token bucket), then tries each
/// provider of the chain in order, each under its own retry/breaker/rate-limit/timeout pipeline, and records the path
/// taken in <see cref="ChatCompletion.Degraded"/>. When every provider fails it throws
/// <see cref="ChatModelUnavailableException"/>, so the caller can fall back to the extractive answerer.
/// </summary>
internal sealed class ChatGateway : IChatModel
{
    private readonly ChatProvider[] _chain;
    private readonly ModelRouter _router;
    private readonly ChatGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TokenBucket> _tenants = new(StringComparer.Ordinal);

    /// <param name="chain">The default order of providers.</param>
    /// <param name="all">Every configured provider, including those only routing rules or callers choose.</param>
    public ChatGateway(IReadOnlyList<ChatProvider> chain, IReadOnlyList<ChatProvider> all, ChatGatewayOptions options, TimeProvider time, ILogger logger)
    {
        if (chain.Count == 0)
            throw new ArgumentException("The chat gateway needs at least one provider.", nameof(chain));
        _chain = [.. chain];
        _router = new ModelRouter(_chain, all, options.Routing);
        _options = options;
        _time = time;
        _logger = logger;
        // The prompt must fit whichever model ends up answering.
        ContextWindow = all.Concat(chain).Min(p => p.Model.ContextWindow);
    }

    public string ModelId => _chain[0].Model.ModelId;

    public int ContextWindow { get; }

    internal IReadOnlyList<ChatProvider> Chain => _chain;

    public async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stage = StartStage(request, stream: false);
        var (completion, provider, degraded, started) = await FirstAnswerAsync(
            request, stage, (provider, ct) => new ValueTask<ChatCompletion>(provider.Model.CompleteAsync(request, ct)), cancellationToken);
        Answered(stage.Activity, provider, completion.Usage, degraded, started);
        return completion with { Degraded = degraded };
    }

    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stage = StartStage(request, stream: true);
        // Failing over is only safe before the caller has seen any text: a provider "answers" with its first update.
        var (stream, provider, degraded, started) = await FirstAnswerAsync(
            request, stage, (provider, ct) => OpenStreamAsync(provider, request, ct, cancellationToken), cancellationToken);
        await using var owned = stream;
        if (!stream.HasCurrent)
        {
            // The provider ended without a single update: still say who answered.
            Answered(stage.Activity, provider, null, degraded, started);
            yield return new ChatUpdate(null, Model: provider.Model.ModelId, Degraded: degraded);
            yield break;
        }

        var first = stream.Current with { Model = stream.Current.Model ?? provider.Model.ModelId, Degraded = degraded };
        var usage = first.Usage;
        yield return first;
        while (await NextAsync(stream, provider, stage, cancellationToken))
        {
            var update = stream.Current;
            usage = update.Usage ?? usage;
            yield return update;
        }
        Answered(stage.Activity, provider, usage, degraded, started);
    }

    /// <summary>Admits the tenant, then walks the chain until a provider answers; the path so far is the degraded one.</summary>
    /// <param name="attempt">One attempt on one provider, cancelled by the attempt timeout.</param>
    private async Task<(T Answer, ChatProvider Provider, string? Degraded, long Started)> FirstAnswerAsync<T>(
        ChatRequest request, QuarryTelemetry.StageScope stage, Func<ChatProvider, CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            AdmitTenant(request);
            var (chain, route) = _router.Route(request.Routing);
            stage.Activity?.SetTag("quarry.generate.route", route);
            var path = new DegradedPath();
            for (var i = 0; i < chain.Length; i++)
            {
                var provider = chain[i];
                var call = new ProviderCall();
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var answer = await provider.ExecuteAsync(ct => attempt(provider, ct), call, cancellationToken);
                    AiMetrics.LlmRoutes.Add(1, new(AiMetrics.Tags.Route, route), new(AiMetrics.Tags.Model, provider.Model.ModelId));
                    return (answer, provider, path.AnsweredBy(provider), started);
                }
                catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
                {
                    Failed(path, provider, call, e, i < chain.Length - 1 ? chain[i + 1] : null);
                }
            }
            throw Unavailable(path);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <param name="attempt">Cancelled by the attempt timeout; only watched while opening.</param>
    /// <param name="caller">The caller's token, which the stream keeps after opening.</param>
    private async ValueTask<ProviderStream> OpenStreamAsync(ChatProvider provider, ChatRequest request, CancellationToken attempt, CancellationToken caller)
    {
        var stream = new ProviderStream(provider.Model, request, _options.StreamIdleTimeout, _time, caller);
        try
        {
            using (attempt.Register(static s => ((ProviderStream)s!).Abort(), stream))
                await stream.MoveNextAsync();
            attempt.ThrowIfCancellationRequested();
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private async ValueTask<bool> NextAsync(ProviderStream stream, ChatProvider provider, QuarryTelemetry.StageScope stage, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.MoveNextAsync();
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            // Text has reached the caller: no failing over now, the caller decides what to do with a partial answer.
            GenerationLog.StreamBroken(_logger, provider.Name, provider.Model.ModelId, stream.Received, FailureLabel.Of(e, provider.Options), e.Message);
            stage.Fail(e);
            if (e is ChatModelException)
                throw;
            throw new ChatModelException($"The stream from {provider.Model.ModelId} failed after {stream.Received} update(s): {e.Message}", isTransient: true, inner: e);
        }
    }

    private void AdmitTenant(ChatRequest request)
    {
        if (_options.TenantRateLimit is not { } limit)
            return;
        var tenant = (request.Tenant ?? TenantId.Default).Value;
        var bucket = _tenants.GetOrAdd(tenant, static (_, state) => new TokenBucket(state.limit, state.time), (limit, time: _time));
        if (bucket.TryTake(out var retryAfter))
            return;
        GenerationMetrics.RateLimited.Add(1, new KeyValuePair<string, object?>("scope", "tenant"));
        GenerationLog.TenantRateLimited(_logger, tenant, (long)Math.Ceiling(retryAfter.TotalMilliseconds));
        throw new ChatRateLimitedException(
            $"Tenant '{tenant}' is over its chat rate limit ({limit.RequestsPerMinute:0.##} requests per minute); the next request is admitted in {Math.Ceiling(retryAfter.TotalSeconds):0} s.",
            $"tenant '{tenant}' over its chat rate limit",
            retryAfter);
    }

    private void Failed(DegradedPath path, ChatProvider provider, ProviderCall call, Exception exception, ChatProvider? following)
    {
        var outcome = path.Failed(provider, call, exception);
        var next = following?.Model.ModelId ?? "none";
        GenerationMetrics.Fallbacks.Add(1,
            new("from", provider.Model.ModelId), new("to", next), new("failure", FailureLabel.Of(exception, provider.Options)));
        GenerationLog.FallingBack(_logger, provider.Name, provider.Model.ModelId, outcome, exception.Message);
    }

    private ChatModelUnavailableException Unavailable(DegradedPath path)
    {
        var route = path.ToString();
        GenerationLog.Unavailable(_logger, route);
        return new ChatModelUnavailableException($"No chat model could answer: {route}.", route, path.RetryAfter);
    }

    private static QuarryTelemetry.StageScope StartStage(ChatRequest request, bool stream)
    {
        var stage = QuarryTelemetry.StartStage("llm.generate");
        stage.Activity?.SetTag("gen_ai.operation.name", "chat");
        stage.Activity?.SetTag("quarry.tenant", (request.Tenant ?? TenantId.Default).Value);
        stage.Activity?.SetTag("quarry.generate.stream", stream);
        stage.Activity?.SetTag("quarry.generate.max_output_tokens", request.MaxOutputTokens);
        return stage;
    }

    /// <param name="started">When the answering provider's attempt began: the latency is that call's, not the failovers before it.</param>
    private static void Answered(Activity? activity, ChatProvider provider, TokenUsage? usage, string? degraded, long started)
    {
        var model = provider.Model.ModelId;
        AiMetrics.LlmLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new(AiMetrics.Tags.Provider, provider.Name), new(AiMetrics.Tags.Model, model));
        activity?.SetTag("quarry.generate.model", model);
        // GenAI conventions name the model as the provider knows it; Quarry's id prefixes the kind ("openai:gpt-4o").
        var providerModel = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..];
        activity?.SetTag("gen_ai.request.model", providerModel);
        activity?.SetTag("gen_ai.response.model", providerModel);
        activity?.SetTag("gen_ai.provider.name", provider.Name);
        var facts = RequestFacts.Current;
        if (facts is not null) facts.Provider = provider.Name;
        if (degraded is not null)
            activity?.SetTag("quarry.generate.degraded", degraded);
        if (usage is null)
            return;
        activity?.SetTag("quarry.generate.input_tokens", usage.InputTokens);
        activity?.SetTag("quarry.generate.output_tokens", usage.OutputTokens);
        activity?.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
        GenerationMetrics.Tokens.Add(usage.InputTokens, new("model", model), new("direction", "input"));
        GenerationMetrics.Tokens.Add(usage.OutputTokens, new("model", model), new("direction", "output"));
        AiMetrics.PromptTokens.Add(usage.InputTokens, new KeyValuePair<string, object?>(AiMetrics.Tags.Model, model));
        AiMetrics.CompletionTokens.Add(usage.OutputTokens, new KeyValuePair<string, object?>(AiMetrics.Tags.Model, model));
        facts?.AddTokens(usage.InputTokens, usage.OutputTokens);
    }

    private static bool IsCallerCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
