using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Embedding;
using Quarry.Generation;

namespace Quarry.Caching;

public static class CachingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AnswerCache"/> in front of <see cref="AskService"/> (<c>AddQuarryAnswering</c>). The store
    /// must register <see cref="IKnowledgeVersions"/>; an <see cref="IAnswerCacheStore"/> adds the shared layer and an
    /// <see cref="IEmbedder"/> the semantic one.
    /// </summary>
    public static IServiceCollection AddQuarryAnswerCache(this IServiceCollection services, Action<AnswerCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AnswerCacheOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AnswerCacheOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<AnswerCache>();
            var store = sp.GetService<IAnswerCacheStore>();
            return new AnswerCache(
                sp.GetRequiredService<AskService>(),
                sp.GetRequiredService<IKnowledgeVersions>(),
                store is null ? null : new GuardedCacheStore(store, o, time, logger),
                sp.GetService<IEmbedder>(),
                o,
                sp.GetService<IChatModel>()?.ModelId ?? ExtractiveAnswerer.ModelId,
                time,
                logger);
        });
        services.TryAddSingleton(sp => new SearchCache(
            sp.GetRequiredService<Retrieval.Retriever>(),
            sp.GetRequiredService<IKnowledgeVersions>(),
            sp.GetRequiredService<IOptions<AnswerCacheOptions>>().Value));
        return services;
    }
}
