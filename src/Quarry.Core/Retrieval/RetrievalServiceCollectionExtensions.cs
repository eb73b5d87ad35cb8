using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Reranking;
using Quarry.Storage;

namespace Quarry.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>Registers the retriever (hybrid when an <see cref="IEmbedder"/> and an <see cref="IVectorIndex"/> are
    /// registered, keyword-only otherwise; reranked when <see cref="IReranker"/> and the rerank stage are). A store providing <see cref="IKeywordIndex"/> and <see cref="IDocumentStore"/> must be registered too.</summary>
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
            sp.GetService<ILogger<Retriever>>() ?? NullLogger<Retriever>.Instance,
            // The rerank stage joins when a reranker is registered and AddQuarryReranking was called.
            sp.GetService<IReranker>() is null ? null : sp.GetService<CandidateReranker>()));
        return services;
    }
}
