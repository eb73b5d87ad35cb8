// Placeholder until the chunker branch lands (it replaces this file).
using Microsoft.Extensions.DependencyInjection;

namespace Quarry.Chunking;

public static class ChunkingServiceCollectionExtensions
{
    public static IServiceCollection AddQuarryChunking(this IServiceCollection services, Action<ChunkingOptions>? configure = null)
    {
        services.AddOptions<ChunkingOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StructureAwareChunker>();
        return services;
    }
}
