using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;
using Quarry.Indexing.Vectors;
using Quarry.Models.Local.Builtin;
using Quarry.Models.Local.Hub;
using Quarry.Models.OpenAI;
using Quarry.Storage.Postgres;

namespace Quarry.Server.Hosting;

/// <summary>
/// Turns on hybrid retrieval when configuration names an embeddings provider:
/// <c>QUARRY_Models__Embeddings__Provider=openai</c> with <c>QUARRY_Models__Embeddings__OpenAI__Endpoint</c>,
/// <c>__Model</c>, <c>__Dimensions</c> (and <c>__ApiKey</c>), or <c>local:&lt;model&gt;</c> for a model run in-process
/// (<see cref="LocalModelConfiguration"/>), or <c>builtin:minilm</c> / <c>builtin:arctic-xs</c> (<see cref="BuiltinModelConfiguration"/>). Without it Quarry stays on the offline default.
/// </summary>
public static class EmbeddingConfiguration
{
    /// <param name="localModel">The local model selected by configuration or --model-path, if any.</param>
    public static bool Add(IServiceCollection services, IConfiguration configuration, ModelReference? localModel = null)
    {
        var provider = configuration["Models:Embeddings:Provider"];
        int? dimensions;
        if (localModel is not null)
        {
            if (!LocalModelConfiguration.AddEmbeddings(services, configuration, localModel)) return false;
            // A local model knows its dimension from config.json.
            dimensions = null;
        }
        else if (BuiltinModelConfiguration.Selected(provider) is { } builtin)
        {
            BuiltinModelConfiguration.AddEmbeddings(services, configuration, builtin);
            dimensions = builtin.Dimension;
        }
        else
        {
            if (string.IsNullOrWhiteSpace(provider) || provider.Equals("none", StringComparison.OrdinalIgnoreCase)) return false;
            if (!provider.Equals("openai", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Unknown embeddings provider '{provider}' (Models:Embeddings:Provider): use 'openai' (any OpenAI-compatible endpoint), 'local:<model>' (a model run in-process), {BuiltinModel.Names} (built in) or 'none'.");

            var section = configuration.GetSection(OpenAIEmbeddingOptions.SectionName);
            dimensions = section.GetValue<int?>("Dimensions")
                ?? throw new InvalidOperationException("Set Models:Embeddings:OpenAI:Dimensions (the vector size) so the vector index can be built before the first call.");
            services.AddQuarryOpenAIEmbeddings(o => section.Bind(o));
        }
        services.AddQuarryEmbeddingCache();
        services.AddQuarryVectorIndex();
        services.AddOptions<VectorIndexOptions>()
            .Bind(configuration.GetSection(VectorIndexOptions.SectionName))
            .Configure<IEmbedder>((o, embedder) =>
            {
                o.Model = embedder.Model.Id;
                o.Dimension = dimensions ?? embedder.Model.Dimension;
            });
        services.Configure<ReindexOptions>(configuration.GetSection(ReindexOptions.SectionName));
        services.Configure<EmbeddingCacheOptions>(configuration.GetSection(EmbeddingCacheOptions.SectionName));
        services.AddQuarryReindexing();
        return true;
    }

    /// <summary>Loads the stored vectors of the configured model into this process's index, unless PostgreSQL searches
    /// them (pgvector): then nothing is loaded.</summary>
    public static async Task<int> LoadVectorsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.HasQuarryPostgresStorage())
        {
            await services.EnsureQuarryPostgresReadyAsync(cancellationToken);
            if (services.SearchesQuarryVectorsInPostgres())
                return 0;
        }
        return await services.LoadQuarryVectorIndexAsync(cancellationToken);
    }
}
