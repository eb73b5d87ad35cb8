using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quarry.Indexing;
using Quarry.Storage;

namespace Quarry.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>Registers the retriever. A store providing <see cref="IKeywordIndex"/> and <see cref="IDocumentStore"/> must be registered too.</summary>
    public static IServiceCollection AddQuarryRetrieval(this IServiceCollection services, Action<RetrievalOptions>? configure = null)
    {
        services.AddOptions<RetrievalOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new Retriever(
            sp.GetRequiredService<IKeywordIndex>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IOptions<RetrievalOptions>>()));
        return services;
    }
}
