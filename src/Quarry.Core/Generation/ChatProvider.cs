using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Quarry.Generation;

/// <summary>
/// One provider of the chain with its own resilience pipeline: retry (outermost, jittered backoff, Retry-After
/// honoured up to a cap) → circuit breaker (each attempt counts) → rate limit → attempt timeout. The breaker lives as
/// long as the gateway, so its state spans calls.
/// </summary>
internal sealed class ChatProvider
{
    private static readonly ResiliencePropertyKey<ProviderCall> CallKey = new("quarry.generate.call");

    private readonly ResiliencePipeline _pipeline;
    private readonly TokenBucket? _limiter;
    private readonly ILogger _logger;

    public ChatProvider(IChatModel model, ChatProviderOptions options, TimeProvider time, ILogger logger)
    {
        Model = model;
        Options = options;
        _logger = logger;
        _limiter = options.RateLimit is { } limit ? new TokenBucket(limit, time) : null;
        _pipeline = BuildPipeline(time);
    }

    public string Name => Options.Name;

    public IChatModel Model { get; }

    public ChatProviderOptions Options { get; }

    public CircuitBreakerStateProvider? Breaker { get; private set; }

    /// <summary>Runs <paramref name="attempt"/> under the pipeline; <paramref name="call"/> collects what happened.</summary>
    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> attempt, ProviderCall call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.Call.Attempts++;
                    if (state.Self._limiter is { } limiter && !limiter.TryTake(out var wait))
                    {
                        GenerationMetrics.RateLimited.Add(1, new("scope", "provider"), new("model", state.Self.Model.ModelId));
                        throw new ProviderRateLimitedException(
                            $"Quarry's rate limit for chat provider '{state.Self.Name}' ({limiter.RequestsPerMinute:0.##} requests per minute) is reached.", wait);
                    }
                    return await state.Attempt(ctx.CancellationToken);
                },
                context,
                (Self: this, Call: call, Attempt: attempt));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline BuildPipeline(TimeProvider time)
    {
        var options = Options;
        var builder = new ResiliencePipelineBuilder { Name = "quarry.chat." + options.Name, TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsProviderFault(e)
                    // A provider asking for a longer pause than we hold a caller for: the next provider answers sooner.
                    && !(e is ChatModelException { RetryAfter: { } after } && after > options.MaxRetryDelay)),
                // The provider's Retry-After wins over our backoff; null falls back to the backoff.
                DelayGenerator = args => ValueTask.FromResult((args.Outcome.Exception as ChatModelException)?.RetryAfter),
                OnRetry = args =>
                {
                    var failure = FailureLabel.Of(args.Outcome.Exception, options);
                    args.Context.Properties.GetValue(CallKey, null!)?.Failures.Add(failure);
                    GenerationMetrics.Retries.Add(1, new("model", Model.ModelId), new("failure", failure));
                    GenerationLog.Retrying(_logger, options.Name, Model.ModelId, failure, args.AttemptNumber + 1, options.MaxRetries,
                        (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message);
                    return default;
                },
            });
        }
        if (options.CircuitBreaker is { Enabled: true } breaker)
        {
            Breaker = new CircuitBreakerStateProvider();
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = Breaker,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsProviderFault(e)),
                OnOpened = args =>
                {
                    BreakerChanged("open");
                    GenerationLog.CircuitOpened(_logger, options.Name, Model.ModelId, args.BreakDuration.TotalSeconds);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    BreakerChanged("half_open");
                    GenerationLog.CircuitChanged(_logger, options.Name, Model.ModelId, "half-open");
                    return default;
                },
                OnClosed = _ =>
                {
                    BreakerChanged("closed");
                    GenerationLog.CircuitChanged(_logger, options.Name, Model.ModelId, "closed");
                    return default;
                },
            });
        }
        return builder.AddTimeout(options.Timeout).Build();
    }

    private void BreakerChanged(string state) =>
        GenerationMetrics.BreakerTransitions.Add(1, new("model", Model.ModelId), new("state", state));

    /// <summary>The provider is struggling (worth a retry, and counted by the breaker): throttling, 5xx, timeouts,
    /// stalls, connection failures. Not Quarry's own rate limit, nor a request the provider refused.</summary>
    private static bool IsProviderFault(Exception exception) => exception switch
    {
        ProviderRateLimitedException => false,
        ChatModelException e => e.IsTransient,
        TimeoutRejectedException => true,
        _ => false,
    };
}

/// <summary>What happened to one call on one provider, for the degraded path and the logs.</summary>
internal sealed class ProviderCall
{
    public int Attempts { get; set; }

    /// <summary>Failures that were retried, in order (the final one is the exception the call ends with).</summary>
    public List<string> Failures { get; } = [];
}

/// <summary>Quarry's own per-provider limit refused the request; the provider was not called.</summary>
internal sealed class ProviderRateLimitedException(string message, TimeSpan retryAfter)
    : ChatModelException(message, isTransient: true, statusCode: null, retryAfter);

/// <summary>A stream sent nothing for the idle timeout.</summary>
internal sealed class ChatStreamStalledException(string message, Exception? inner)
    : ChatModelException(message, isTransient: true, statusCode: null, retryAfter: null, inner);
