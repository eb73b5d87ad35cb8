using Microsoft.Extensions.Logging;

namespace Quarry.Embedding;

internal static partial class EmbeddingLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Embedding cache lookup for {Model} failed; embedding all {Count} texts")]
    public static partial void CacheReadFailed(ILogger logger, string model, int count, Exception exception);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Embedding cache write of {Count} vectors for {Model} failed; they will be embedded again next time")]
    public static partial void CacheWriteFailed(ILogger logger, string model, int count, Exception exception);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Knowledge base {KnowledgeBase} now searched with {Model}: {Chunks} chunks, {Embedded} embedded by this run, {Dropped} old vectors dropped, {Seconds:F1}s")]
    public static partial void Reindexed(ILogger logger, string knowledgeBase, string model, int chunks, int embedded, int dropped, double seconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Embedding cache: {Count} stored vectors evicted (age or size bound)")]
    public static partial void CacheEvicted(ILogger logger, long count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Embedding cache eviction failed; the next interval tries again")]
    public static partial void CacheEvictionFailed(ILogger logger, Exception exception);
}
