using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Sqlite;

internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Applied SQLite migration {Version} ({Name}) to {Path}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, string path);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "SQLite store at {Path} is at schema version {Version}")]
    public static partial void SchemaReady(ILogger logger, string path, int version);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Document {DocumentId} upserted: {Outcome}, version {Version}, {ChunkCount} chunks")]
    public static partial void DocumentUpserted(ILogger logger, string documentId, UpsertOutcome outcome, int version, int chunkCount);
}
