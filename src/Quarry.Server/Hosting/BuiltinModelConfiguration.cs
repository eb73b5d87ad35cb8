using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Models.Local;
using Quarry.Models.Local.Builtin;
using Quarry.Models.Local.Hub;

namespace Quarry.Server.Hosting;

/// <summary>
/// Built-in embedding models from configuration: <c>QUARRY_Models__Embeddings__Provider=builtin:minilm</c> or
/// <c>builtin:arctic-xs</c> (options under <c>Models:Embeddings:Builtin</c>). They ship with Quarry, so unlike a
/// <c>local:</c> model they are always available.
/// </summary>
public static class BuiltinModelConfiguration
{
    /// <summary>The built-in model a provider setting names: null when the provider is not <c>builtin:</c>.</summary>
    /// <exception cref="InvalidOperationException">The provider is <c>builtin:</c> with an unknown name.</exception>
    public static BuiltinModel? Selected(string? provider)
    {
        if (string.IsNullOrWhiteSpace(provider) || !provider.Trim().StartsWith(BuiltinModel.Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        return BuiltinModel.Find(provider)
            ?? throw new InvalidOperationException($"Unknown built-in embedding model '{provider}' ({LocalModelConfiguration.EmbeddingsProvider}): use {BuiltinModel.Names}.");
    }

    public static void AddEmbeddings(IServiceCollection services, IConfiguration configuration, BuiltinModel model)
    {
        services.AddQuarryModelHub(o => configuration.GetSection(ModelHubOptions.SectionName).Bind(o));
        services.AddQuarryBuiltinEmbeddings(o =>
        {
            configuration.GetSection(BuiltinEmbeddingOptions.SectionName).Bind(o);
            o.Model = model.Name;
        });
    }
}
