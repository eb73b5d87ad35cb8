using Microsoft.Extensions.Logging;

namespace Quarry.Conversations;

internal static partial class ConversationLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Follow-up rewrite by the model failed ({Reason}); the rule rewrote it")]
    public static partial void RewriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Follow-up rewrite by the model took longer than {TimeoutMs} ms; the rule rewrote it")]
    public static partial void RewriteTimedOut(ILogger logger, double timeoutMs);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Follow-up rewrite by the model returned no usable query; the rule rewrote it")]
    public static partial void RewriteUnusable(ILogger logger);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Conversation retention deleted {Count} sessions unused since {Before}")]
    public static partial void Purged(ILogger logger, int count, DateTimeOffset before);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Conversation retention sweep failed; it runs again at the next interval")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
