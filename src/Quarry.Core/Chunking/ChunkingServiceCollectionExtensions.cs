using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quarry.Tokenization;

namespace Quarry.Chunking;

public static class ChunkingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the structure-aware chunker with <see cref="ChunkingOptions"/> validated at start-up, and the default
    /// token counter unless another one is registered.
    /// </summary>
    public static IServiceCollection AddQuarryChunking(this IServiceCollection services, Action<ChunkingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ChunkingOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddQuarryTokenization();
        services.TryAddSingleton<StructureAwareChunker>();
        return services;
    }
}
