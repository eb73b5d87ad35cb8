namespace Quarry.Generation;

/// <summary>
/// No provider in the gateway's chain could answer. <see cref="Degraded"/> is the path tried (e.g.
/// "openai:gpt-4o failed (503 ×3) → openai:gpt-4o-mini skipped (circuit open)"), so that a caller falling back to
/// the extractive answerer can record the whole path.
/// </summary>
public class ChatModelUnavailableException(string message, string degraded, TimeSpan? retryAfter = null, int? statusCode = 503, Exception? inner = null)
    : ChatModelException(message, isTransient: true, statusCode, retryAfter, inner)
{
    public string Degraded { get; } = degraded;
}

/// <summary>The tenant is over its chat rate limit (<see cref="ChatGatewayOptions.TenantRateLimit"/>); no provider was
/// called. <see cref="ChatModelException.RetryAfter"/> says when the next request would be admitted.</summary>
public sealed class ChatRateLimitedException(string message, string degraded, TimeSpan retryAfter)
    : ChatModelUnavailableException(message, degraded, retryAfter, statusCode: 429);
