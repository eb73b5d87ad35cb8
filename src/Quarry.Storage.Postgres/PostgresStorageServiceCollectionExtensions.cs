using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the PostgreSQL store as the engine's document store, keyword index, embedding cache, change feed,
    /// tenant store, ingestion queue and shared rate-limit buckets, over one connection pool per process. The schema is brought up to date on first
    /// use under an advisory lock, so replicas may start together.
    /// </summary>
    public static IServiceCollection AddQuarryPostgresStorage(this IServiceCollection services, Action<PostgresStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<PostgresStorageOptions>()
            .Configure(configure)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            return new PostgresDatabase(sp.GetRequiredService<IOptions<PostgresStorageOptions>>().Value, loggers, loggers.CreateLogger<PostgresDatabase>());
        });
        services.TryAddSingleton(sp => new PgvectorIndexes(sp.GetRequiredService<PostgresDatabase>()));
        services.TryAddSingleton(sp => new PostgresStore(
            sp.GetRequiredService<PostgresDatabase>(),
            sp.GetRequiredService<PgvectorIndexes>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<PostgresStore>()));
        // Each part registers the interface it implements below (documents, keyword index, tenancy, embedding cache,
        // change feed, job queue, vector index).
        services.TryAddSingleton<IDocumentStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<IIndexChangeFeed>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<IKeywordIndex>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<ITenantStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<Quarry.Audit.IAuditStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<Quarry.Spending.IUsageLedger>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<Quarry.Conversations.IConversationStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<IEmbeddingCache>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<Quarry.Caching.IKnowledgeVersions>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<IEmbeddingCacheEviction>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton(sp => new PostgresJobQueue(
            sp.GetRequiredService<PostgresDatabase>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<PostgresJobQueue>()));
        services.TryAddSingleton<IIngestionJobStore>(sp => sp.GetRequiredService<PostgresJobQueue>());
        services.TryAddSingleton<IJobBacklog>(sp => sp.GetRequiredService<PostgresJobQueue>());
        services.TryAddSingleton(sp => new PostgresUploadBlobs(sp.GetRequiredService<PostgresDatabase>()));
        services.TryAddSingleton<ISharedTokenBuckets>(sp => new PostgresTokenBuckets(sp.GetRequiredService<PostgresDatabase>()));
        return services;
    }
}
