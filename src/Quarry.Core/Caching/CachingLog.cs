using Microsoft.Extensions.Logging;

namespace Quarry.Caching;

internal static partial class CachingLog
{
    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Answer cache L2 ({Store}) is unavailable ({Reason}); answers skip it for {BreakSeconds} s at a time until it recovers.")]
    public static partial void L2Opened(ILogger logger, string store, string reason, double breakSeconds);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Answer cache L2 ({Store}) is available again.")]
    public static partial void L2Closed(ILogger logger, string store);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Answer cache: L1 on ({L1Mb} MB), L2 {L2}, semantic {Semantic}.")]
    public static partial void Configured(ILogger logger, long l1Mb, string l2, string semantic);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Answer cache: a semantic lookup failed ({Reason}); the question is answered without it.")]
    public static partial void SemanticFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Debug, Message = "Answer cache: dropped an unreadable {Layer} entry.")]
    public static partial void Unreadable(ILogger logger, string layer);
}
