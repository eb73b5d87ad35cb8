using Quarry.Documents;

namespace Quarry.Ingestion;

/// <param name="KnowledgeBase">Name of the knowledge base; created when it does not exist.</param>
/// <param name="Tags">Applied to every document of the batch.</param>
/// <param name="Rejected">Sources that failed before ingestion (e.g. path resolution); reported with the batch.</param>
/// <param name="Allow">The access list of every document of the batch (normalized); null keeps each document's current one.</param>
/// <param name="Job">The ingestion job the batch runs for: its writes are fenced by the job (refused once a delete
/// cancelled it), and a knowledge base deleted meanwhile is not created again.</param>
/// <param name="Vectors">Overrides Ingestion:Vectors for this batch (e.g. <c>quarry ingest --no-vectors</c>).</param>
public sealed record IngestRequest(
    TenantId Tenant,
    string KnowledgeBase,
    IReadOnlyList<IngestSource> Sources,
    IReadOnlyDictionary<string, string>? Tags = null,
    IReadOnlyList<IngestFailure>? Rejected = null,
    JobId? Job = null,
    IReadOnlyList<string>? Allow = null,
    IngestionVectors? Vectors = null);
