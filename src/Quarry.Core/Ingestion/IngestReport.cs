using Quarry.Storage;

namespace Quarry.Ingestion;

/// <summary>What happened to a batch. <see cref="Documents"/> counts every source that is now stored
/// (created + replaced + unchanged); <see cref="Chunks"/> counts chunks written by this run only.</summary>
public sealed record IngestReport(
    int Documents,
    int Created,
    int Replaced,
    int Unchanged,
    int Chunks,
    long Bytes,
    IReadOnlyList<IngestFailure> Failed,
    double Seconds,
    IReadOnlyList<IngestedDocument> Items);

/// <param name="Reason">Stable kebab-case code (see <see cref="Parsing.RejectionReason"/>), or "error".</param>
public sealed record IngestFailure(string Path, string Reason, string Error);

public sealed record IngestedDocument(string Path, string DocumentId, UpsertOutcome Outcome, int Version, int Chunks);

/// <summary>Progress of a running batch, reported after every document.</summary>
/// <param name="Current">The source just finished, with its <paramref name="Outcome"/> ("created", "replaced", "unchanged" or a failure reason).</param>
public sealed record IngestProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, int Chunks, int Failed, string? Current, string? Outcome);
