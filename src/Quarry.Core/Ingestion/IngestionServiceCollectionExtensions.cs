using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Embedding;
using Quarry.Indexing.Vectors;
using Quarry.Parsing;
using Quarry.Storage;

namespace Quarry.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Registers the ingestion pipeline with parsing and chunking. A store (e.g. AddQuarrySqliteStorage) must be registered too.</summary>
    public static IServiceCollection AddQuarryIngestion(this IServiceCollection services, Action<IngestionOptions>? configure = null)
    {
        services.AddOptions<IngestionOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.AddQuarryParsing();
        services.AddQuarryChunking();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FileSourceResolver>();
        services.TryAddSingleton(sp => new DocumentIngestor(
            sp.GetRequiredService<DocumentParserSelector>(),
            sp.GetRequiredService<StructureAwareChunker>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IOptions<IngestionOptions>>(),
            sp.GetRequiredService<IOptions<ParsingOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DocumentIngestor>>(),
            sp.GetService<IEmbedder>(),
            sp.GetService<InMemoryVectorIndex>(),
            sp.GetService<Quarry.Privacy.PrivacyMasker>(),
            sp.GetService<Vectorizing.VectorizingSignal>()));
        return services;
    }
}
