using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Storage;

namespace Quarry.Indexing.Vectors;

public static class VectorIndexServiceCollectionExtensions
{
    /// <summary>
    /// Registers the exact in-process vector index as the <see cref="IVectorIndex"/> (one per process), kept in step
    /// with the registered <see cref="IDocumentStore"/>: loaded before the first search (or by
    /// <see cref="LoadQuarryVectorIndexAsync"/>) and then refreshed from the store's <see cref="IIndexChangeFeed"/>, if it
    /// has one, so that writes by other processes are seen.
    /// </summary>
    public static IServiceCollection AddQuarryVectorIndex(this IServiceCollection services, Action<VectorIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VectorIndexOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations()
            .Validate(o => o.RefreshInterval >= TimeSpan.Zero || o.RefreshInterval == Timeout.InfiniteTimeSpan,
                "VectorIndex:RefreshInterval must be zero or positive, or infinite (-00:00:00.001) to never refresh.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new InMemoryVectorIndex(sp.GetRequiredService<IOptions<VectorIndexOptions>>().Value));
        services.TryAddSingleton(sp => new RefreshingVectorIndex(
            sp.GetRequiredService<InMemoryVectorIndex>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetService<IIndexChangeFeed>(),
            sp.GetRequiredService<IOptions<VectorIndexOptions>>().Value.RefreshInterval,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<InMemoryVectorIndex>()));
        services.TryAddSingleton<IVectorIndex>(sp => sp.GetRequiredService<RefreshingVectorIndex>());
        return services;
    }

    /// <summary>Fills the in-process vector index from the store's embeddings of its model (start-up); 0 when no
    /// vector index is registered.</summary>
    public static async Task<int> LoadQuarryVectorIndexAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<RefreshingVectorIndex>() is { } index
            ? await index.LoadAsync(cancellationToken).ConfigureAwait(false)
            : 0;
    }
}
