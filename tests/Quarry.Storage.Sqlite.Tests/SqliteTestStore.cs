using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Storage.Sqlite;
using Quarry.Tenancy;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>
/// The store as the host composes it (<see cref="SqliteStorageServiceCollectionExtensions.AddQuarrySqliteStorage"/>),
/// on a real database file in its own temporary directory, removed on dispose. It forwards to the services the
/// container exposes, so the compliance suites see exactly what a host would.
/// </summary>
public sealed class SqliteTestStore : IDocumentStore, IKeywordIndex, IIngestionJobStore, IIndexChangeFeed, ITenantStore, IEmbeddingCache, Quarry.Caching.IKnowledgeVersions, IEmbeddingCacheEviction, IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IDocumentStore _documents;
    private readonly IKeywordIndex _keywords;
    private readonly IIngestionJobStore _jobs;
    private readonly IIndexChangeFeed _changes;
    private readonly ITenantStore _tenants;
    private readonly IEmbeddingCache _embeddingCache;
    private readonly bool _ownsDirectory;

    private SqliteTestStore(string directory, TimeProvider time, bool ownsDirectory)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddQuarrySqliteStorage(o => o.DataDirectory = directory);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _documents = _services.GetRequiredService<IDocumentStore>();
        _keywords = _services.GetRequiredService<IKeywordIndex>();
        _jobs = _services.GetRequiredService<IIngestionJobStore>();
        _changes = _services.GetRequiredService<IIndexChangeFeed>();
        _tenants = _services.GetRequiredService<ITenantStore>();
        _embeddingCache = _services.GetRequiredService<IEmbeddingCache>();
    }

    public string Directory { get; }

    internal SqliteStore Inner => (SqliteStore)_documents;

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "quarry-store-tests", Guid.NewGuid().ToString("N"));

    public static Task<SqliteTestStore> CreateAsync(TimeProvider time) => Task.FromResult(new SqliteTestStore(NewDirectory(), time, ownsDirectory: true));

    /// <summary>Opens a store on an existing directory that the caller cleans up.</summary>
    public static SqliteTestStore Open(string directory, TimeProvider time) => new(directory, time, ownsDirectory: false);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDirectory)
            DeleteDirectory(Directory);
    }

    public static void DeleteDirectory(string directory)
    {
        if (System.IO.Directory.Exists(directory))
            System.IO.Directory.Delete(directory, recursive: true);
    }

    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) => _documents.CreateKnowledgeBaseAsync(tenant, name, cancellationToken);
    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, bool hidden, CancellationToken cancellationToken) => _documents.CreateKnowledgeBaseAsync(tenant, name, hidden, cancellationToken);
    public Task<KnowledgeBase?> UpdateKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, KnowledgeBaseChange change, CancellationToken cancellationToken) => _documents.UpdateKnowledgeBaseAsync(tenant, knowledgeBase, change, cancellationToken);
    public Task<KnowledgeBase?> FindKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) => _documents.FindKnowledgeBaseAsync(tenant, name, cancellationToken);
    public Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesAsync(TenantId tenant, CancellationToken cancellationToken) => _documents.ListKnowledgeBasesAsync(tenant, cancellationToken);
    public Task<bool> DeleteKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) => _documents.DeleteKnowledgeBaseAsync(tenant, knowledgeBase, cancellationToken);
    public Task<string?> GetChecksumAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.GetChecksumAsync(tenant, document, cancellationToken);
    public Task<UpsertResult> UpsertDocumentAsync(DocumentWrite write, CancellationToken cancellationToken) => _documents.UpsertDocumentAsync(write, cancellationToken);
    public Task<bool> DeleteDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.DeleteDocumentAsync(tenant, document, cancellationToken);
    public Task<DocumentRecord?> GetDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.GetDocumentAsync(tenant, document, cancellationToken);
    public Task<DocumentRecord?> SetDocumentAccessAsync(TenantId tenant, DocumentId document, IReadOnlyList<string> allow, CancellationToken cancellationToken) => _documents.SetDocumentAccessAsync(tenant, document, allow, cancellationToken);
    public Task<IReadOnlyList<DocumentVersionInfo>> GetVersionsAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.GetVersionsAsync(tenant, document, cancellationToken);
    public Task<DocumentPage> ListDocumentsAsync(DocumentListQuery query, CancellationToken cancellationToken) => _documents.ListDocumentsAsync(query, cancellationToken);
    public Task<IReadOnlyList<Chunk>> GetChunksAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.GetChunksAsync(tenant, document, cancellationToken);
    public Task<IReadOnlyList<Chunk>> GetChunksByIdAsync(TenantId tenant, IReadOnlyCollection<ChunkId> chunks, CancellationToken cancellationToken) => _documents.GetChunksByIdAsync(tenant, chunks, cancellationToken);
    public Task<string?> GetDocumentTextAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => _documents.GetDocumentTextAsync(tenant, document, cancellationToken);
    public Task StoreEmbeddingsAsync(TenantId tenant, ChunkEmbeddings embeddings, CancellationToken cancellationToken) => _documents.StoreEmbeddingsAsync(tenant, embeddings, cancellationToken);
    public IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, CancellationToken cancellationToken) => _documents.ReadEmbeddingsAsync(model, cancellationToken);
    public Task<IReadOnlyList<StoredEmbedding>> GetDocumentEmbeddingsAsync(TenantId tenant, DocumentId document, string model, CancellationToken cancellationToken) => _documents.GetDocumentEmbeddingsAsync(tenant, document, model, cancellationToken);
    public Task<EmbeddingCoverage> GetEmbeddingCoverageAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => _documents.GetEmbeddingCoverageAsync(tenant, knowledgeBase, model, cancellationToken);
    public Task<ChunkTextPage> GetChunksWithoutEmbeddingAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, long after, int limit, CancellationToken cancellationToken) => _documents.GetChunksWithoutEmbeddingAsync(tenant, knowledgeBase, model, after, limit, cancellationToken);
    public Task<int> ActivateEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => _documents.ActivateEmbeddingModelAsync(tenant, knowledgeBase, model, cancellationToken);
    public Task<int> DeleteInactiveEmbeddingsAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) => _documents.DeleteInactiveEmbeddingsAsync(tenant, knowledgeBase, cancellationToken);
    public Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesMissingVectorsAsync(EmbeddingModel model, CancellationToken cancellationToken) => _documents.ListKnowledgeBasesMissingVectorsAsync(model, cancellationToken);
    public Task<int?> AdoptEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => _documents.AdoptEmbeddingModelAsync(tenant, knowledgeBase, model, cancellationToken);

    public Task<IReadOnlyList<KeywordHit>> SearchAsync(KeywordSearchRequest request, CancellationToken cancellationToken) => _keywords.SearchAsync(request, cancellationToken);

    public Task<long> GetHeadAsync(CancellationToken cancellationToken) => _changes.GetHeadAsync(cancellationToken);
    public Task<IndexChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken) => _changes.ReadChangesAsync(after, limit, cancellationToken);

    public Task<IngestionJob> EnqueueAsync(NewIngestionJob job, CancellationToken cancellationToken) => _jobs.EnqueueAsync(job, cancellationToken);
    public Task<IngestionJob?> GetAsync(TenantId tenant, JobId job, CancellationToken cancellationToken) => _jobs.GetAsync(tenant, job, cancellationToken);
    public Task<IReadOnlyList<IngestionJob>> ListAsync(TenantId tenant, JobStatus? status, int limit, CancellationToken cancellationToken) => _jobs.ListAsync(tenant, status, limit, cancellationToken);
    public Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken) => _jobs.ClaimNextAsync(workerId, lease, cancellationToken);
    public Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, int maxRunningPerTenant, CancellationToken cancellationToken) => _jobs.ClaimNextAsync(workerId, lease, maxRunningPerTenant, cancellationToken);
    public Task<IReadOnlyList<string>> ListUnfinishedPayloadsAsync(CancellationToken cancellationToken) => _jobs.ListUnfinishedPayloadsAsync(cancellationToken);
    public Task<bool> HeartbeatAsync(JobId job, string workerId, TimeSpan lease, JobProgress progress, CancellationToken cancellationToken) => _jobs.HeartbeatAsync(job, workerId, lease, progress, cancellationToken);
    public Task<bool> CompleteAsync(JobId job, string workerId, JobStatus status, string? error, CancellationToken cancellationToken) => _jobs.CompleteAsync(job, workerId, status, error, cancellationToken);
    public Task<bool> CancelAsync(TenantId tenant, JobId job, CancellationToken cancellationToken) => _jobs.CancelAsync(tenant, job, cancellationToken);

    public Task<ApiKeyRecord> CreateApiKeyAsync(NewApiKey key, CancellationToken cancellationToken) => _tenants.CreateApiKeyAsync(key, cancellationToken);
    public Task<ApiKeyRecord?> FindApiKeyAsync(string keyHash, CancellationToken cancellationToken) => _tenants.FindApiKeyAsync(keyHash, cancellationToken);
    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantId? tenant, CancellationToken cancellationToken) => _tenants.ListApiKeysAsync(tenant, cancellationToken);
    public Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken) => _tenants.RevokeApiKeyAsync(tenant, keyId, cancellationToken);
    public Task<string> GetApiKeysVersionAsync(CancellationToken cancellationToken) => _tenants.GetApiKeysVersionAsync(cancellationToken);
    public Task<TenantUsage> GetUsageAsync(TenantId tenant, CancellationToken cancellationToken) => _tenants.GetUsageAsync(tenant, cancellationToken);

    public Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken) => _embeddingCache.GetManyAsync(model, textHashes, cancellationToken);
    public Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken) => _embeddingCache.PutManyAsync(model, entries, cancellationToken);

    public Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken) =>
        _services.GetRequiredService<Quarry.Caching.IKnowledgeVersions>().GetKnowledgeVersionAsync(tenant, knowledgeBases, cancellationToken);

    public Task<long> EvictEmbeddingCacheAsync(DateTimeOffset? olderThan, long maxRows, CancellationToken cancellationToken) =>
        _services.GetRequiredService<IEmbeddingCacheEviction>().EvictEmbeddingCacheAsync(olderThan, maxRows, cancellationToken);
}
