using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Postgres;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Applied PostgreSQL migration {Version} ({Name}) to {Database}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, string database);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "PostgreSQL store ready: {Database} at schema version {Version}, pgvector {Pgvector}")]
    public static partial void SchemaReady(ILogger logger, string database, int version, string pgvector);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "pgvector is not available on {Database} ({Reason}); vectors are searched in process")]
    public static partial void PgvectorUnavailable(ILogger logger, string database, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Transient PostgreSQL error ({SqlState}) in a write; retrying (attempt {Attempt})")]
    public static partial void WriteRetried(ILogger logger, string? sqlState, int attempt);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Document {DocumentId} upserted: {Outcome}, version {Version}, {ChunkCount} chunks")]
    public static partial void DocumentUpserted(ILogger logger, string documentId, UpsertOutcome outcome, int version, int chunkCount);
}
