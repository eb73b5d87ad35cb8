using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Postgres;

internal static partial class Log
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "pgvector {Version} on {Database} has no iterative index scans (0.8+): a selective filter may make a search fall back to an exact scan")]
    public static partial void PgvectorWithoutIterativeScan(ILogger logger, string database, string version);
}
