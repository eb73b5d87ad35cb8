using Quarry.Documents;

namespace Quarry.Generation;

public enum ChatRole
{
    System,
    User,
    Assistant,
}

public sealed record ChatMessage(ChatRole Role, string Content);

/// <param name="Tenant">Whose request this is: the gateway rate-limits per tenant as well as per provider.</param>
/// <param name="Routing">What the gateway's routing rules look at; null takes the configured chain as it is.</param>
public sealed record ChatRequest(IReadOnlyList<ChatMessage> Messages, int MaxOutputTokens, TenantId? Tenant = null, float? Temperature = null,
    ChatRouteHints? Routing = null)
{
    /// <summary>The caller already admitted the tenant for this request (<see cref="IChatAdmission"/>), so the quota
    /// is not read from the store a second time.</summary>
    internal bool Admitted { get; init; }
}

/// <param name="Model">The model that actually answered (after any fallback).</param>
/// <param name="Degraded">The fallback path taken (e.g. "primary failed: 503 → secondary"), or null.</param>
public sealed record ChatCompletion(string Text, string Model, TokenUsage? Usage, string? FinishReason, string? Degraded = null);

/// <summary>One piece of a streamed completion. <see cref="Model"/> and <see cref="Degraded"/> are set on the first update.</summary>
public sealed record ChatUpdate(string? TextDelta, TokenUsage? Usage = null, string? FinishReason = null, string? Model = null, string? Degraded = null);

public sealed record TokenUsage(int InputTokens, int OutputTokens)
{
    public int TotalTokens => InputTokens + OutputTokens;
}

/// <summary>A chat provider failed. <see cref="IsTransient"/> says whether retrying may succeed; <see cref="RetryAfter"/>
/// carries the provider's own hint when it sent one.</summary>
public class ChatModelException(string message, bool isTransient, int? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool IsTransient { get; } = isTransient;
    public int? StatusCode { get; } = statusCode;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
