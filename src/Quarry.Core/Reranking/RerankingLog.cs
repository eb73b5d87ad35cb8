using Microsoft.Extensions.Logging;

namespace Quarry.Reranking;

internal static partial class RerankingLog
{
    [LoggerMessage(2101, LogLevel.Warning, "Reranking skipped, retrieval order kept: {Reason}")]
    public static partial void Skipped(ILogger logger, string reason);

    [LoggerMessage(2102, LogLevel.Warning, "Reranker {Model} failed; retrieval order kept")]
    public static partial void Failed(ILogger logger, string model, Exception exception);
}
