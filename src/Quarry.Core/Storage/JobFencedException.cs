namespace Quarry.Storage;

/// <summary>
/// A document write made on behalf of an ingestion job that is no longer running: its document or knowledge base was
/// deleted (or the job cancelled) while it worked. The write is refused so that a delete is never undone.
/// </summary>
public sealed class JobFencedException(string message) : Exception(message)
{
    /// <summary>The reason code reported for the job.</summary>
    public const string Code = "cancelled";
}
