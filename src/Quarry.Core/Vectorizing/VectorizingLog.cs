using Microsoft.Extensions.Logging;

namespace Quarry.Vectorizing;

internal static partial class VectorizingLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Vectors of knowledge base {KnowledgeBase} ({Tenant}): {Embedded} chunks embedded with {Model} in {Seconds:F1}s, {Missing} still without")]
    public static partial void Filled(ILogger logger, string tenant, string knowledgeBase, string model, int embedded, int missing, double seconds);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Filling vectors failed ({Failures} in a row); retrying in {Delay}. Documents stay searchable by keyword meanwhile")]
    public static partial void FillFailed(ILogger logger, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Vectorizing with {Model}: {Chunks} chunks in {KnowledgeBases} knowledge bases wait for vectors")]
    public static partial void Backlog(ILogger logger, string model, long chunks, int knowledgeBases);
}
