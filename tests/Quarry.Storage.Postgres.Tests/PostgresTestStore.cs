using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Storage.Postgres.Tests.TestSupport;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>
/// The store as the host composes it (<see cref="PostgresStorageServiceCollectionExtensions.AddQuarryPostgresStorage"/>)
/// on its own fresh database of the test server (<see cref="PostgresServer"/>), dropped on dispose. It forwards to the
/// services the container exposes, so the compliance suites see exactly what a host would.
/// </summary>
public sealed class PostgresTestStore : IDocumentStore, IKeywordIndex, IIngestionJobStore, IIndexChangeFeed, ITenantStore, IEmbeddingCache, Quarry.Caching.IKnowledgeVersions, IEmbeddingCacheEviction, IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _ownsDatabase;

    private PostgresTestStore(string connectionString, TimeProvider time, bool ownsDatabase, Action<PostgresStorageOptions>? configure)
    {
        ConnectionString = connectionString;
        _ownsDatabase = ownsDatabase;
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddQuarryPostgresStorage(o =>
        {
            o.ConnectionString = connectionString;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public string ConnectionString { get; }

    public IServiceProvider Services => _services;

    internal PostgresStore Inner => _services.GetRequiredService<PostgresStore>();

    private IDocumentStore Documents => _services.GetRequiredService<IDocumentStore>();
    private IKeywordIndex Keywords => _services.GetRequiredService<IKeywordIndex>();
    private IIngestionJobStore Jobs => _services.GetRequiredService<IIngestionJobStore>();
    private IIndexChangeFeed Changes => _services.GetRequiredService<IIndexChangeFeed>();
    private ITenantStore Tenants => _services.GetRequiredService<ITenantStore>();
    private IEmbeddingCache EmbeddingCache => _services.GetRequiredService<IEmbeddingCache>();

    /// <summary>A store on a new database of the test server, dropped on dispose.</summary>
    public static async Task<PostgresTestStore> CreateAsync(TimeProvider time, Action<PostgresStorageOptions>? configure = null) =>
        new(await PostgresServer.CreateDatabaseAsync(), time, ownsDatabase: true, configure);

    /// <summary>A second store (another "replica") on an existing database that the caller drops.</summary>
    public static PostgresTestStore Open(string connectionString, TimeProvider time, Action<PostgresStorageOptions>? configure = null) =>
        new(connectionString, time, ownsDatabase: false, configure);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDatabase)
            await PostgresServer.DropDatabaseAsync(ConnectionString);
    }

    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) => Documents.CreateKnowledgeBaseAsync(tenant, name, cancellationToken);
    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, bool hidden, CancellationToken cancellationToken) => Documents.CreateKnowledgeBaseAsync(tenant, name, hidden, cancellationToken);
    public Task<KnowledgeBase?> UpdateKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, KnowledgeBaseChange change, CancellationToken cancellationToken) => Documents.UpdateKnowledgeBaseAsync(tenant, knowledgeBase, change, cancellationToken);
    public Task<KnowledgeBase?> FindKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) => Documents.FindKnowledgeBaseAsync(tenant, name, cancellationToken);
    public Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesAsync(TenantId tenant, CancellationToken cancellationToken) => Documents.ListKnowledgeBasesAsync(tenant, cancellationToken);
    public Task<bool> DeleteKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) => Documents.DeleteKnowledgeBaseAsync(tenant, knowledgeBase, cancellationToken);
    public Task<string?> GetChecksumAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.GetChecksumAsync(tenant, document, cancellationToken);
    public Task<UpsertResult> UpsertDocumentAsync(DocumentWrite write, CancellationToken cancellationToken) => Documents.UpsertDocumentAsync(write, cancellationToken);
    public Task<bool> DeleteDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.DeleteDocumentAsync(tenant, document, cancellationToken);
    public Task<DocumentRecord?> GetDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.GetDocumentAsync(tenant, document, cancellationToken);
    public Task<DocumentRecord?> SetDocumentAccessAsync(TenantId tenant, DocumentId document, IReadOnlyList<string> allow, CancellationToken cancellationToken) => Documents.SetDocumentAccessAsync(tenant, document, allow, cancellationToken);
    public Task<IReadOnlyList<DocumentVersionInfo>> GetVersionsAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.GetVersionsAsync(tenant, document, cancellationToken);
    public Task<DocumentPage> ListDocumentsAsync(DocumentListQuery query, CancellationToken cancellationToken) => Documents.ListDocumentsAsync(query, cancellationToken);
    public Task<IReadOnlyList<Chunk>> GetChunksAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.GetChunksAsync(tenant, document, cancellationToken);
    public Task<IReadOnlyList<Chunk>> GetChunksByIdAsync(TenantId tenant, IReadOnlyCollection<ChunkId> chunks, CancellationToken cancellationToken) => Documents.GetChunksByIdAsync(tenant, chunks, cancellationToken);
    public Task<string?> GetDocumentTextAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) => Documents.GetDocumentTextAsync(tenant, document, cancellationToken);
    public Task StoreEmbeddingsAsync(TenantId tenant, ChunkEmbeddings embeddings, CancellationToken cancellationToken) => Documents.StoreEmbeddingsAsync(tenant, embeddings, cancellationToken);
    public IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, CancellationToken cancellationToken) => Documents.ReadEmbeddingsAsync(model, cancellationToken);
    public Task<IReadOnlyList<StoredEmbedding>> GetDocumentEmbeddingsAsync(TenantId tenant, DocumentId document, string model, CancellationToken cancellationToken) => Documents.GetDocumentEmbeddingsAsync(tenant, document, model, cancellationToken);
    public Task<EmbeddingCoverage> GetEmbeddingCoverageAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => Documents.GetEmbeddingCoverageAsync(tenant, knowledgeBase, model, cancellationToken);
    public Task<ChunkTextPage> GetChunksWithoutEmbeddingAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, long after, int limit, CancellationToken cancellationToken) => Documents.GetChunksWithoutEmbeddingAsync(tenant, knowledgeBase, model, after, limit, cancellationToken);
    public Task<int> ActivateEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => Documents.ActivateEmbeddingModelAsync(tenant, knowledgeBase, model, cancellationToken);
    public Task<int> DeleteInactiveEmbeddingsAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) => Documents.DeleteInactiveEmbeddingsAsync(tenant, knowledgeBase, cancellationToken);
    public Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesMissingVectorsAsync(EmbeddingModel model, CancellationToken cancellationToken) => Documents.ListKnowledgeBasesMissingVectorsAsync(model, cancellationToken);
    public Task<int?> AdoptEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken) => Documents.AdoptEmbeddingModelAsync(tenant, knowledgeBase, model, cancellationToken);

    public Task<IReadOnlyList<KeywordHit>> SearchAsync(KeywordSearchRequest request, CancellationToken cancellationToken) => Keywords.SearchAsync(request, cancellationToken);

    public Task<long> GetHeadAsync(CancellationToken cancellationToken) => Changes.GetHeadAsync(cancellationToken);
    public Task<IndexChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken) => Changes.ReadChangesAsync(after, limit, cancellationToken);

    public Task<IngestionJob> EnqueueAsync(NewIngestionJob job, CancellationToken cancellationToken) => Jobs.EnqueueAsync(job, cancellationToken);
    public Task<IngestionJob?> GetAsync(TenantId tenant, JobId job, CancellationToken cancellationToken) => Jobs.GetAsync(tenant, job, cancellationToken);
    public Task<IReadOnlyList<IngestionJob>> ListAsync(TenantId tenant, JobStatus? status, int limit, CancellationToken cancellationToken) => Jobs.ListAsync(tenant, status, limit, cancellationToken);
    public Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken) => Jobs.ClaimNextAsync(workerId, lease, cancellationToken);
    public Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, int maxRunningPerTenant, CancellationToken cancellationToken) => Jobs.ClaimNextAsync(workerId, lease, maxRunningPerTenant, cancellationToken);
    public Task<IReadOnlyList<string>> ListUnfinishedPayloadsAsync(CancellationToken cancellationToken) => Jobs.ListUnfinishedPayloadsAsync(cancellationToken);
    public Task<bool> HeartbeatAsync(JobId job, string workerId, TimeSpan lease, JobProgress progress, CancellationToken cancellationToken) => Jobs.HeartbeatAsync(job, workerId, lease, progress, cancellationToken);
    public Task<bool> CompleteAsync(JobId job, string workerId, JobStatus status, string? error, CancellationToken cancellationToken) => Jobs.CompleteAsync(job, workerId, status, error, cancellationToken);
    public Task<bool> CancelAsync(TenantId tenant, JobId job, CancellationToken cancellationToken) => Jobs.CancelAsync(tenant, job, cancellationToken);

    public Task<ApiKeyRecord> CreateApiKeyAsync(NewApiKey key, CancellationToken cancellationToken) => Tenants.CreateApiKeyAsync(key, cancellationToken);
    public Task<ApiKeyRecord?> FindApiKeyAsync(string keyHash, CancellationToken cancellationToken) => Tenants.FindApiKeyAsync(keyHash, cancellationToken);
    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantId? tenant, CancellationToken cancellationToken) => Tenants.ListApiKeysAsync(tenant, cancellationToken);
    public Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken) => Tenants.RevokeApiKeyAsync(tenant, keyId, cancellationToken);
    public Task<string> GetApiKeysVersionAsync(CancellationToken cancellationToken) => Tenants.GetApiKeysVersionAsync(cancellationToken);
    public Task<TenantUsage> GetUsageAsync(TenantId tenant, CancellationToken cancellationToken) => Tenants.GetUsageAsync(tenant, cancellationToken);

    public Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken) => EmbeddingCache.GetManyAsync(model, textHashes, cancellationToken);
    public Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken) => EmbeddingCache.PutManyAsync(model, entries, cancellationToken);

    public Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken) =>
        _services.GetRequiredService<Quarry.Caching.IKnowledgeVersions>().GetKnowledgeVersionAsync(tenant, knowledgeBases, cancellationToken);

    public Task<long> EvictEmbeddingCacheAsync(DateTimeOffset? olderThan, long maxRows, CancellationToken cancellationToken) =>
        _services.GetRequiredService<IEmbeddingCacheEviction>().EvictEmbeddingCacheAsync(olderThan, maxRows, cancellationToken);
}
