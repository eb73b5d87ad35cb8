using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage;

/// <summary>
/// Knowledge bases, documents, their versions and chunks. Every call is scoped to a tenant inside the store's own
/// query. Writes of one document are atomic: readers see the previous version or the new one, never a mix.
/// </summary>
public interface IDocumentStore
{
    /// <exception cref="StoreConflictException">A knowledge base with that name exists in the tenant.</exception>
    Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken);

    /// <param name="hidden">Leave it out of listings and pickers (see <see cref="KnowledgeBase.Hidden"/>).</param>
    /// <exception cref="StoreConflictException">A knowledge base with that name exists in the tenant.</exception>
    Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, bool hidden, CancellationToken cancellationToken);

    /// <summary>Renames and/or hides or shows the knowledge base.</summary>
    /// <returns>The changed knowledge base, or null when the tenant has none with that id.</returns>
    /// <exception cref="StoreConflictException">Another knowledge base of the tenant has the new name.</exception>
    Task<KnowledgeBase?> UpdateKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, KnowledgeBaseChange change, CancellationToken cancellationToken);

    Task<KnowledgeBase?> FindKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken);

    /// <summary>Every knowledge base of the tenant, hidden ones included (callers filter on <see cref="KnowledgeBase.Hidden"/>).</summary>
    Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesAsync(TenantId tenant, CancellationToken cancellationToken);

    /// <summary>Deletes the knowledge base with all its documents, chunks, keyword and vector entries.</summary>
    Task<bool> DeleteKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken);

    /// <summary>The checksum of the document's current version, or null when it is not stored: lets ingestion skip
    /// parsing unchanged files.</summary>
    Task<string?> GetChecksumAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the document, replaces its current version when the checksum differs, or does nothing when it is
    /// equal. Chunks, keyword entries and embeddings of the previous version are removed in the same transaction.
    /// In that transaction too: vectors of a knowledge base without an active embedding model make theirs active, and
    /// chunks stored without a vector of the active model mark the knowledge base's embeddings incomplete.
    /// </summary>
    Task<UpsertResult> UpsertDocumentAsync(DocumentWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="UpsertDocumentAsync"/> for several documents, in order. A store may commit them together (all or
    /// none): when this throws, none of them may be assumed written, and the caller retries them one by one.
    /// </summary>
    async Task<IReadOnlyList<UpsertResult>> UpsertDocumentsAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new List<UpsertResult>(writes.Count);
        foreach (var write in writes)
            results.Add(await UpsertDocumentAsync(write, cancellationToken));
        return results;
    }

    /// <summary>
    /// Work on the keyword index after <paramref name="chunksWritten"/> chunks were written, in proportion to them:
    /// many small writes leave an index in many pieces that every search must visit.
    /// </summary>
    Task CompactKeywordIndexAsync(int chunksWritten, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Removes the document with its versions, chunks, keyword and vector entries in one transaction.</summary>
    Task<bool> DeleteDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    Task<DocumentRecord?> GetDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    /// <summary>Replaces the document's access list (normalized, see <see cref="Access.AccessList"/>) without touching
    /// its content; in-process indexes pick the change up from the change feed.</summary>
    /// <returns>The changed document, or null when the tenant has none with that id.</returns>
    Task<DocumentRecord?> SetDocumentAccessAsync(TenantId tenant, DocumentId document, IReadOnlyList<string> allow, CancellationToken cancellationToken);

    Task<IReadOnlyList<DocumentVersionInfo>> GetVersionsAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    Task<DocumentPage> ListDocumentsAsync(DocumentListQuery query, CancellationToken cancellationToken);

    /// <summary>Chunks of the current version, in document order.</summary>
    Task<IReadOnlyList<Chunk>> GetChunksAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    Task<IReadOnlyList<Chunk>> GetChunksByIdAsync(TenantId tenant, IReadOnlyCollection<ChunkId> chunks, CancellationToken cancellationToken);

    /// <summary>The normalized text of the current version (citations index into it).</summary>
    Task<string?> GetDocumentTextAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken);

    /// <summary>Stores (or overwrites) embeddings for chunks of the current versions. Vectors of chunks that no longer
    /// exist are ignored.</summary>
    Task StoreEmbeddingsAsync(TenantId tenant, ChunkEmbeddings embeddings, CancellationToken cancellationToken);

    /// <summary>Streams every stored embedding of one model, for building an in-process vector index.</summary>
    IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, CancellationToken cancellationToken);

    /// <summary>The stored vectors of one model for the current chunks of one document.</summary>
    Task<IReadOnlyList<StoredEmbedding>> GetDocumentEmbeddingsAsync(TenantId tenant, DocumentId document, string model, CancellationToken cancellationToken);

    /// <summary>How many of the knowledge base's chunks there are, and how many have a vector of <paramref name="model"/>.</summary>
    Task<EmbeddingCoverage> GetEmbeddingCoverageAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken);

    /// <summary>Chunks of the knowledge base that have no vector of <paramref name="model"/>, in storage order, starting
    /// after position <paramref name="after"/> (0 first, then the previous page's <see cref="ChunkTextPage.Next"/>).</summary>
    Task<ChunkTextPage> GetChunksWithoutEmbeddingAsync(
        TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, long after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: when every chunk of the knowledge base has a vector of <paramref name="model"/>, makes it
    /// the knowledge base's active embedding model (and its embeddings complete); otherwise changes nothing.
    /// </summary>
    /// <returns>The number of chunks still without a vector of the model; 0 when the switch was made.</returns>
    Task<int> ActivateEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken);

    /// <summary>
    /// Knowledge bases of every tenant whose chunks <paramref name="model"/> should fill: those with chunks and no
    /// active model yet, and those on <paramref name="model"/> with chunks lacking its vectors. Knowledge bases on
    /// another model are left to an explicit re-embedding.
    /// </summary>
    Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesMissingVectorsAsync(EmbeddingModel model, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: when the knowledge base has no active model, or has <paramref name="model"/>, makes
    /// <paramref name="model"/> active and records whether some chunk still lacks its vector (vector search then covers
    /// the chunks that have one). Unlike <see cref="ActivateEmbeddingModelAsync"/> it never switches away from another model.
    /// </summary>
    /// <returns>The chunks still without a vector of the model, or null when the knowledge base is on another model or gone.</returns>
    Task<int?> AdoptEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken);

    /// <summary>Deletes the vectors of the knowledge base's chunks that are not of its active model.</summary>
    /// <returns>The number of vectors deleted.</returns>
    Task<int> DeleteInactiveEmbeddingsAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken);
}

public sealed record EmbeddingCoverage(int Chunks, int Embedded)
{
    public int Missing => Chunks - Embedded;
}

/// <param name="Title">The chunk's document title (embedded with the text: <see cref="Embedding.EmbeddingText"/>).</param>
public sealed record ChunkText(ChunkId Id, string Text, string Title = "");

/// <param name="Next">Where the next page starts; opaque to callers.</param>
public sealed record ChunkTextPage(IReadOnlyList<ChunkText> Chunks, long Next);

public sealed record DocumentWrite
{
    public required TenantId TenantId { get; init; }
    public required KnowledgeBaseId KnowledgeBaseId { get; init; }
    public required DocumentId DocumentId { get; init; }
    public required string Title { get; init; }
    public required string SourceUri { get; init; }
    public required string ContentType { get; init; }
    public required long SizeBytes { get; init; }
    public required string Checksum { get; init; }
    public string? Language { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags.Instance;
    public required string NormalizedText { get; init; }
    public required IReadOnlyList<ChunkContent> Chunks { get; init; }
    /// <summary>Optional vectors, written in the same transaction; ids are matched by chunk ordinal.</summary>
    public ChunkEmbeddings? Embeddings { get; init; }
    /// <summary>The ingestion job this write is made for. When set, the write commits only while that job is still
    /// queued or running; a job cancelled by a delete gets <see cref="JobFencedException"/> and nothing is written.</summary>
    public Ingestion.JobId? Job { get; init; }
    /// <summary>The document this one was extracted from (an email's attachment names its email). Deleting the parent
    /// deletes it.</summary>
    public DocumentId? ParentId { get; init; }
    /// <summary>The document's access list (see <see cref="Access.AccessList"/>); null keeps the current one (open for
    /// a new document), so re-ingesting never widens access by accident.</summary>
    public IReadOnlyList<string>? Allow { get; init; }
}

public enum UpsertOutcome
{
    Created,
    Replaced,
    Unchanged,
}

public sealed record UpsertResult(DocumentId DocumentId, UpsertOutcome Outcome, int Version, int ChunkCount);

/// <param name="Vectors">Keyed by chunk id, or (in <see cref="DocumentWrite"/>) by chunk ordinal as "#0", "#1", …</param>
public sealed record ChunkEmbeddings(string Model, int Dimension, IReadOnlyList<KeyValuePair<ChunkId, ReadOnlyMemory<float>>> Vectors);

public sealed record StoredEmbedding(ChunkId ChunkId, DocumentId DocumentId, TenantId TenantId, KnowledgeBaseId KnowledgeBaseId, ReadOnlyMemory<float> Vector);

public sealed record DocumentListQuery
{
    public required TenantId Tenant { get; init; }
    public KnowledgeBaseId? KnowledgeBase { get; init; }
    public string? SourcePrefix { get; init; }
    /// <summary>Only documents whose title or source contains this text, ignoring case (a search box, not ranking).</summary>
    public string? Contains { get; init; }

    /// <summary>Only the children of this document (e.g. an email's attachments).</summary>
    public DocumentId? Parent { get; init; }
    /// <summary>Every pair must be present.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags.Instance;
    public int Offset { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Documents the caller may not read are neither listed nor counted.</summary>
    public Access.AccessScope Access { get; init; } = Quarry.Access.AccessScope.Everything;
}

public sealed record DocumentPage(IReadOnlyList<DocumentRecord> Items, int Total);
