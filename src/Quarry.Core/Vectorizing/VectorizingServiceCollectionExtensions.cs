using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Ingestion;
using Quarry.Storage;

namespace Quarry.Vectorizing;

public static class VectorizingServiceCollectionExtensions
{
    /// <summary>Registers <see cref="VectorFiller"/> (filling in missing vectors with the registered <see cref="IEmbedder"/>)
    /// and the signal ingestion wakes the background stage with. A store must be registered too.</summary>
    public static IServiceCollection AddQuarryVectorizing(this IServiceCollection services, Action<VectorizingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VectorizingOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations()
            .Validate(o => o.MaxRetryDelay >= o.RetryDelay, "Vectorizing:MaxRetryDelay must not be shorter than Vectorizing:RetryDelay.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VectorizingSignal>();
        services.TryAddSingleton(sp => new VectorFiller(
            sp.GetService<IEmbedder>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IOptions<VectorizingOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<VectorFiller>()));
        return services;
    }

    /// <summary>Runs the background stage in this process when Ingestion:Vectors is Background and an embedder is
    /// configured (a server; a CLI command fills in the foreground instead).</summary>
    public static IServiceCollection AddQuarryVectorizingWorker(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService(sp => new VectorizingWorker(
            sp.GetRequiredService<VectorFiller>(),
            sp.GetRequiredService<VectorizingSignal>(),
            sp.GetRequiredService<IOptions<VectorizingOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<VectorizingWorker>(),
            sp.GetRequiredService<IOptions<IngestionOptions>>().Value.Vectors == IngestionVectors.Background));
        return services;
    }
}
