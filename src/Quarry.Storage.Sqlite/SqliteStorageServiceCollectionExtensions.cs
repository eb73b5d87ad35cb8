using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Tenancy;

namespace Quarry.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedded SQLite store as <see cref="IDocumentStore"/>, <see cref="IKeywordIndex"/>,
    /// <see cref="IIngestionJobStore"/>, <see cref="IEmbeddingCache"/>, <see cref="IIndexChangeFeed"/> and <see cref="ITenantStore"/>: one instance, so that all share the
    /// write lock and the file.
    /// </summary>
    public static IServiceCollection AddQuarrySqliteStorage(this IServiceCollection services, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteStorageOptions>()
            .Configure(configure)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteStore(
            sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<SqliteStore>()));
        services.TryAddSingleton<IDocumentStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IKeywordIndex>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IIngestionJobStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IJobBacklog>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IEmbeddingCache>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IIndexChangeFeed>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<ITenantStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<Quarry.Caching.IKnowledgeVersions>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IEmbeddingCacheEviction>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<Quarry.Audit.IAuditStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<Quarry.Spending.IUsageLedger>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<Quarry.Conversations.IConversationStore>(sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }
}
