using Microsoft.Extensions.Logging;

namespace Quarry.Ingestion;

internal static partial class IngestionLog
{
    [LoggerMessage(1001, LogLevel.Information,
        "Ingested {Documents} documents ({Created} created, {Replaced} replaced, {Unchanged} unchanged), {Chunks} chunks written, {Failed} failed in {Seconds:F2}s")]
    public static partial void BatchCompleted(ILogger logger, int documents, int created, int replaced, int unchanged, int chunks, int failed, double seconds);

    [LoggerMessage(1002, LogLevel.Warning, "Rejected {Path}: {Reason}: {Message}")]
    public static partial void DocumentRejected(ILogger logger, string path, string reason, string message);

    [LoggerMessage(1003, LogLevel.Error, "Failed to ingest {Path}")]
    public static partial void DocumentFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning,
        "Knowledge base {KnowledgeBase} is searched with embedding model {Active}; the new chunks' vectors of {Configured} are stored beside and used only after 'quarry reindex --kb {KnowledgeBase}'")]
    public static partial void EmbeddingModelDiffers(ILogger logger, string knowledgeBase, string active, string configured);

    [LoggerMessage(1005, LogLevel.Warning,
        "Knowledge base {KnowledgeBase} is searched with embedding model {Active}, but no embedder is configured: vector search misses the new chunks until 'quarry reindex --kb {KnowledgeBase}' runs with that model")]
    public static partial void StoredWithoutVectors(ILogger logger, string knowledgeBase, string active);

    [LoggerMessage(1006, LogLevel.Information, "Attachment {Attachment} of {Path} is not stored as a document: {Reason}: {Message}")]
    public static partial void AttachmentSkipped(ILogger logger, string path, string attachment, string reason, string message);

    [LoggerMessage(1007, LogLevel.Warning, "Compacting the keyword index after ingestion failed; searches stay correct but slower until the next run")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);
}
