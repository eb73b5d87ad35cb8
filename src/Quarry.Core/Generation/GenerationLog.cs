using Microsoft.Extensions.Logging;

namespace Quarry.Generation;

internal static partial class GenerationLog
{
    // Failures are logged with their message, not the exception: a CLI user sees a sentence, not a stack trace.
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information,
        Message = "Chat provider {Provider} ({Model}) failed with {Failure}; retry {Attempt} of {MaxRetries} in {DelayMs} ms: {Detail}")]
    public static partial void Retrying(ILogger logger, string provider, string model, string failure, int attempt, int maxRetries, long delayMs, string? detail);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Chat provider {Provider} ({Model}) {Outcome}; trying the next provider: {Detail}")]
    public static partial void FallingBack(ILogger logger, string provider, string model, string outcome, string detail);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "No chat provider could answer: {Path}")]
    public static partial void Unavailable(ILogger logger, string path);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Circuit of chat provider {Provider} ({Model}) opened for {BreakSeconds} s")]
    public static partial void CircuitOpened(ILogger logger, string provider, string model, double breakSeconds);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Circuit of chat provider {Provider} ({Model}) is {State}")]
    public static partial void CircuitChanged(ILogger logger, string provider, string model, string state);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "Tenant {Tenant} is over its chat rate limit; next request admitted in {RetryAfterMs} ms")]
    public static partial void TenantRateLimited(ILogger logger, string tenant, long retryAfterMs);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "Stream from chat provider {Provider} ({Model}) failed after {Updates} updates ({Failure}): {Detail}")]
    public static partial void StreamBroken(ILogger logger, string provider, string model, int updates, string failure, string detail);
}
