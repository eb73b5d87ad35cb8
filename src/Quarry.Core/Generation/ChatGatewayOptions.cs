namespace Quarry.Generation;

/// <summary>
/// The chat providers and the order the gateway tries them in. Each provider is an <see cref="IChatModel"/> registered
/// as a keyed service under its <see cref="ChatProviderOptions.Name"/> (an adapter such as
/// <c>AddQuarryOpenAIChat</c> does that); these options say how hard to try each one.
/// </summary>
public sealed class ChatGatewayOptions
{
    public const string SectionName = "Models:Chat";

    public IList<ChatProviderOptions> Providers { get; set; } = [];

    /// <summary>Provider names in the order to try them: primary, then each fallback. Empty means every provider in
    /// the order listed.</summary>
    public IList<string> Fallback { get; set; } = [];

    /// <summary>A stream that sends nothing for this long fails; before its first text it fails over to the next
    /// provider, after it the caller gets a <see cref="ChatModelException"/>.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests each tenant may make across all providers; null means no per-tenant limit.</summary>
    public ChatRateLimitOptions? TenantRateLimit { get; set; }

    /// <summary>Rules choosing a provider per request (cheaper models for simple questions), and who may name one.</summary>
    public ChatRoutingOptions Routing { get; set; } = new();

    /// <summary>The chain the gateway walks: <see cref="Fallback"/> when set, else every provider in order.</summary>
    internal IReadOnlyList<string> Chain => Fallback.Count > 0 ? [.. Fallback] : [.. Providers.Select(p => p.Name)];
}

/// <summary>How the gateway treats one provider: timeout, retries, circuit breaker and rate limit.</summary>
public sealed class ChatProviderOptions
{
    /// <summary>Unique name, used in <see cref="ChatGatewayOptions.Fallback"/> and as the provider's service key.</summary>
    public string Name { get; set; } = "";

    /// <summary>Timeout of one attempt (one HTTP request, or for a stream: until its first text); retries get their own.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, for 408/409/429/5xx, timeouts, stalls and connection failures.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base of the jittered exponential backoff, used when the provider sends no Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait before a retry. A Retry-After asking for longer moves on to the next provider at once.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

    public ChatCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Requests Quarry sends this provider, across tenants; null means unlimited. Over the limit, the
    /// gateway goes straight to the next provider.</summary>
    public ChatRateLimitOptions? RateLimit { get; set; }
}

/// <summary>
/// Stops calling a failing provider for <see cref="BreakDuration"/> once at least <see cref="MinimumThroughput"/>
/// attempts within <see cref="SamplingDuration"/> failed at a ratio of <see cref="FailureRatio"/> or more. Only
/// transient failures (throttling, 5xx, timeouts, stalls, connection failures) count.
/// </summary>
public sealed class ChatCircuitBreakerOptions
{
    public bool Enabled { get; set; } = true;

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A token bucket: <see cref="Burst"/> requests at once, refilled at <see cref="RequestsPerMinute"/>.</summary>
public sealed class ChatRateLimitOptions
{
    public double RequestsPerMinute { get; set; }

    /// <summary>Bucket size; 0 means one minute's worth (<see cref="RequestsPerMinute"/>, at least 1).</summary>
    public int Burst { get; set; }

    internal int Capacity => Burst > 0 ? Burst : Math.Max(1, (int)Math.Floor(RequestsPerMinute));
}
