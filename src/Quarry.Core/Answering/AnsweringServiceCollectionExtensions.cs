using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Citations;
using Quarry.Conversations;
using Quarry.Generation;
using Quarry.Prompting;
using Quarry.QueryExpansion;
using Quarry.Retrieval;

namespace Quarry.Answering;

public static class AnsweringServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AskService"/> with the stages it composes (prompt builder, extractive answerer, citation
    /// verifier). A chat model joins when an <see cref="IChatModel"/> is registered; otherwise answers are extractive.
    /// Retrieval must be registered too (<c>AddQuarryRetrieval</c>).
    /// </summary>
    public static IServiceCollection AddQuarryAnswering(this IServiceCollection services, Action<AnsweringOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AnsweringOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddQuarryPrompting().AddQuarryCitations().AddQuarryExtractiveAnswerer().AddQuarryFollowUpRewriting().AddQuarryMultiQuery();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AskService(
            sp.GetRequiredService<Retriever>(),
            sp.GetRequiredService<ExtractiveAnswerer>(),
            sp.GetRequiredService<PromptBuilder>(),
            sp.GetRequiredService<CitationVerifier>(),
            sp.GetService<IChatModel>(),
            sp.GetRequiredService<IOptions<AnsweringOptions>>(),
            sp.GetService<ILogger<AskService>>() ?? NullLogger<AskService>.Instance,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Spending.UsageMeter>(),
            sp.GetService<Intents.IntentAnswerer>(),
            sp.GetService<FollowUpRewriter>(),
            sp.GetService<MultiQueryRetriever>()));
        return services;
    }
}
