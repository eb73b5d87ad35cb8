using Microsoft.Extensions.Logging;

namespace Quarry.Retrieval;

internal static partial class RetrievalLog
{
    [LoggerMessage(2001, LogLevel.Warning, "Vector search skipped, retrieval runs keyword-only: {Reason}")]
    public static partial void EmbedderDegraded(ILogger logger, string reason);
}
