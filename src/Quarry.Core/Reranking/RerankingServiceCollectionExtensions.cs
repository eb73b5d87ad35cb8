using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Quarry.Reranking;

public static class RerankingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the rerank stage to retrieval: the top <see cref="RerankingOptions.Candidates"/> results are re-scored by
    /// the registered <see cref="IReranker"/> within <see cref="RerankingOptions.TimeBudget"/>. Register a reranker
    /// too (e.g. <c>AddQuarryLocalReranker</c>); without one retrieval runs unchanged.
    /// </summary>
    public static IServiceCollection AddQuarryReranking(this IServiceCollection services, Action<RerankingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RerankingOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // Retrieval asks for this stage only when an IReranker is registered.
        services.TryAddSingleton(sp => new CandidateReranker(
            sp.GetRequiredService<IReranker>(),
            sp.GetRequiredService<IOptions<RerankingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<CandidateReranker>>() ?? NullLogger<CandidateReranker>.Instance));
        return services;
    }
}
