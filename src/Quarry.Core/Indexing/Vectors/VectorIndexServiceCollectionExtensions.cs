using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Indexing.Vectors;

public static class VectorIndexServiceCollectionExtensions
{
    /// <summary>Registers the exact in-process vector index as the <see cref="IVectorIndex"/> (one per process).</summary>
    public static IServiceCollection AddQuarryVectorIndex(this IServiceCollection services, Action<VectorIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VectorIndexOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new InMemoryVectorIndex(sp.GetRequiredService<IOptions<VectorIndexOptions>>().Value));
        services.TryAddSingleton<IVectorIndex>(sp => sp.GetRequiredService<InMemoryVectorIndex>());
        return services;
    }

    /// <summary>Fills the in-process vector index from the store's embeddings of its model (start-up); 0 when no
    /// vector index is registered.</summary>
    public static async Task<int> LoadQuarryVectorIndexAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<InMemoryVectorIndex>() is { } index
            ? await index.LoadAsync(services.GetRequiredService<Storage.IDocumentStore>(), cancellationToken).ConfigureAwait(false)
            : 0;
    }
}
