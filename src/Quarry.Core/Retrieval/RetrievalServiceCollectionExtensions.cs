using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Storage;

namespace Quarry.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>Registers the retriever (hybrid when an <see cref="IEmbedder"/> and an <see cref="IVectorIndex"/> are
    /// registered, keyword-only otherwise). A store providing <see cref="IKeywordIndex"/> and <see cref="IDocumentStore"/> must be registered too.</summary>
    public static IServiceCollection AddQuarryRetrieval(this IServiceCollection services, Action<RetrievalOptions>? configure = null)
    {
        services.AddOptions<RetrievalOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        // Vector search joins when both an embedder and a vector index are registered; otherwise keyword-only.
        services.TryAddSingleton(sp => new Retriever(
            sp.GetRequiredService<IKeywordIndex>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetService<IEmbedder>(),
            sp.GetService<IVectorIndex>(),
            sp.GetRequiredService<IOptions<RetrievalOptions>>(),
            sp.GetService<ILogger<Retriever>>() ?? NullLogger<Retriever>.Instance));
        return services;
    }
}
