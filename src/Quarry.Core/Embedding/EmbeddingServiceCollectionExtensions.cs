using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Quarry.Embedding;

public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the registered <see cref="IEmbedder"/> in a cache backed by the registered <see cref="IEmbeddingCache"/>
    /// (the SQLite store provides one), with an in-memory layer in front and a periodic eviction of the stored table
    /// (<see cref="EmbeddingCacheOptions"/>; the store must register <see cref="IEmbeddingCacheEviction"/>). Call it
    /// after registering the embedder.
    /// </summary>
    public static IServiceCollection AddQuarryEmbeddingCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IEmbedder) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }
        if (index < 0)
            throw new InvalidOperationException("AddQuarryEmbeddingCache decorates an IEmbedder: register one first (e.g. AddQuarryOpenAIEmbeddings).");

        var original = services[index];
        services.AddOptions<EmbeddingCacheOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new MemoryEmbeddingCache(sp.GetRequiredService<IEmbeddingCache>(),
            sp.GetRequiredService<IOptions<EmbeddingCacheOptions>>().Value.MemoryEntries));
        services.AddHostedService(sp => new EmbeddingCacheEvictor(
            sp.GetService<IEmbeddingCacheEviction>(),
            sp.GetRequiredService<IOptions<EmbeddingCacheOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<EmbeddingCacheEvictor>()));
        services[index] = ServiceDescriptor.Describe(
            typeof(IEmbedder),
            sp => new CachingEmbedder(
                CreateOriginal(sp, original),
                sp.GetRequiredService<IOptions<EmbeddingCacheOptions>>().Value.MemoryEntries > 0
                    ? sp.GetRequiredService<MemoryEmbeddingCache>() : sp.GetRequiredService<IEmbeddingCache>(),
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<CachingEmbedder>()),
            original.Lifetime);
        return services;
    }

    /// <summary>Registers <see cref="KnowledgeBaseReindexer"/> (re-embedding a knowledge base with the registered
    /// <see cref="IEmbedder"/>'s model); it refuses to run when no embedder is registered.</summary>
    public static IServiceCollection AddQuarryReindexing(this IServiceCollection services, Action<ReindexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ReindexOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new KnowledgeBaseReindexer(
            sp.GetService<IEmbedder>(),
            sp.GetRequiredService<Storage.IDocumentStore>(),
            sp.GetRequiredService<IOptions<ReindexOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<KnowledgeBaseReindexer>()));
        return services;
    }

    /// <summary>
    /// Uses the app's Microsoft.Extensions.AI embedding generator (registered as
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>) as the <see cref="IEmbedder"/>. The dimension
    /// comes from <paramref name="dimension"/>, else from the generator's metadata; vectors of different
    /// <paramref name="modelId"/>s never share an index.
    /// </summary>
    public static IServiceCollection AddQuarryEmbeddingGenerator(this IServiceCollection services, string? modelId = null, int? dimension = null,
        string queryPrefix = "", string documentPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IEmbedder>(sp =>
        {
            var generator = sp.GetRequiredService<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>();
            var metadata = generator.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)) as Microsoft.Extensions.AI.EmbeddingGeneratorMetadata;
            var size = dimension ?? metadata?.DefaultModelDimensions
                ?? throw new InvalidOperationException("The embedding generator does not say its dimension: pass one (Models:Embeddings:Dimensions).");
            var id = modelId ?? $"{metadata?.ProviderName ?? "meai"}:{metadata?.DefaultModelId ?? "embeddings"}";
            return new EmbeddingGeneratorEmbedder(generator, new EmbeddingModel(id, size), queryPrefix, documentPrefix);
        });
        return services;
    }

    private static IEmbedder CreateOriginal(IServiceProvider services, ServiceDescriptor descriptor)
    {
        if (descriptor.ImplementationInstance is IEmbedder instance)
            return instance;
        if (descriptor.ImplementationFactory is { } factory)
            return (IEmbedder)factory(services);
        return (IEmbedder)ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
    }
}
