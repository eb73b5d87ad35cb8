using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Models.Local;
using Quarry.Models.Local.Hub;
using Quarry.Reranking;

namespace Quarry.Server.Hosting;

/// <summary>
/// Local models from configuration: <c>QUARRY_Models__Embeddings__Provider=local:BAAI/bge-small-en-v1.5</c> (or
/// <c>=local</c> with <c>QUARRY_Models__Embeddings__Local__Model</c>), the same under <c>Models__Reranker</c> for a
/// cross-encoder, or a model folder on disk. A model that is not present is reported and left out: retrieval goes on
/// on the offline default.
/// </summary>
public static class LocalModelConfiguration
{
    public const string EmbeddingsProvider = "Models:Embeddings:Provider";
    public const string RerankerProvider = "Models:Reranker:Provider";

    /// <summary>The local model a provider setting names (null when the provider is not local).</summary>
    public static ModelReference? Selected(IConfiguration configuration, string providerKey, string localSection)
    {
        var provider = configuration[providerKey];
        if (string.IsNullOrWhiteSpace(provider)) return null;
        if (provider.StartsWith("local:", StringComparison.OrdinalIgnoreCase)) return ModelReference.Parse(provider["local:".Length..]);
        if (!provider.Equals("local", StringComparison.OrdinalIgnoreCase)) return null;
        var section = configuration.GetSection(localSection);
        if (section["ModelPath"] is { Length: > 0 } path) return ModelReference.Local(path);
        var model = section["Model"];
        return string.IsNullOrWhiteSpace(model)
            ? throw new InvalidOperationException($"{providerKey} is 'local' but {localSection}:Model names no model (e.g. BAAI/bge-small-en-v1.5), or use {providerKey}=local:<model>.")
            : ModelReference.Parse(model);
    }

    /// <param name="modelPath">A model folder given on the command line; it wins over configuration.</param>
    public static ModelReference? SelectedEmbeddings(IConfiguration configuration, string? modelPath = null) =>
        modelPath is not null
            ? ModelReference.Local(modelPath)
            : Selected(configuration, EmbeddingsProvider, LocalEmbeddingOptions.SectionName);

    public static ModelReference? SelectedReranker(IConfiguration configuration) =>
        Selected(configuration, RerankerProvider, LocalRerankerOptions.SectionName);

    public static ModelHubOptions HubOptions(IConfiguration configuration)
    {
        var options = new ModelHubOptions();
        configuration.GetSection(ModelHubOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>Registers the local embedder when one is selected and present; false (with the reason on stderr) otherwise.</summary>
    public static bool AddEmbeddings(IServiceCollection services, IConfiguration configuration, ModelReference model)
    {
        var cache = ModelCache.FromOptions(HubOptions(configuration));
        if (cache.TryResolve(model) is null)
        {
            Console.Error.WriteLine($"Local embedding model {model.Name} is not available ({(model.IsLocal ? "no such folder" : $"not in {cache.Root}")}); retrieval runs on the offline default (keyword).");
            return false;
        }
        services.AddQuarryModelHub(o => configuration.GetSection(ModelHubOptions.SectionName).Bind(o));
        services.AddQuarryLocalEmbeddings(o =>
        {
            configuration.GetSection(LocalEmbeddingOptions.SectionName).Bind(o);
            o.Model = model.IsLocal ? model.LocalPath! : model.Name;
            o.ModelPath = model.LocalPath;
        });
        return true;
    }

    /// <summary>Registers the rerank stage over a local cross-encoder when configuration selects one and it is present.</summary>
    public static void AddReranker(IServiceCollection services, IConfiguration configuration)
    {
        var model = SelectedReranker(configuration);
        if (model is null)
        {
            var provider = configuration[RerankerProvider];
            if (!string.IsNullOrWhiteSpace(provider) && !provider.Equals("none", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Unknown reranker provider '{provider}' ({RerankerProvider}): use 'local:<model>' (a cross-encoder such as cross-encoder/ms-marco-MiniLM-L-6-v2) or 'none'.");
            return;
        }
        var cache = ModelCache.FromOptions(HubOptions(configuration));
        if (cache.TryResolve(model) is null)
        {
            Console.Error.WriteLine($"Reranker model {model.Name} is not available ({(model.IsLocal ? "no such folder" : $"not in {cache.Root}")}); results are not reranked.");
            return;
        }
        services.AddQuarryModelHub(o => configuration.GetSection(ModelHubOptions.SectionName).Bind(o));
        services.AddQuarryLocalReranker(o =>
        {
            configuration.GetSection(LocalRerankerOptions.SectionName).Bind(o);
            o.Model = model.IsLocal ? model.LocalPath! : model.Name;
            o.ModelPath = model.LocalPath;
        });
        services.AddQuarryReranking(o => configuration.GetSection(RerankingOptions.SectionName).Bind(o));
    }
}
