using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Citations;
using Quarry.Generation;
using Quarry.Retrieval;
using Quarry.Storage;
using Quarry.Tokenization;

namespace Quarry.Intents;

public static class IntentsServiceCollectionExtensions
{
    /// <summary>Routes small talk and summary requests away from retrieve-and-answer (<see cref="IntentOptions"/>,
    /// validated at start-up). Needs the store, retrieval and citations; uses the chat model when one is registered.</summary>
    public static IServiceCollection AddQuarryIntents(this IServiceCollection services, Action<IntentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<IntentOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<IntentOptions>>().Value;
            return new IntentAnswerer(
                new SummaryEvidence(sp.GetRequiredService<Retriever>(), sp.GetRequiredService<IDocumentStore>()),
                new Summarizer(sp.GetRequiredService<CitationVerifier>(), sp.GetService<ITokenCounter>() ?? BertWordPieceTokenizer.Default, o),
                sp.GetService<IChatModel>(),
                o,
                sp.GetRequiredService<IOptions<AnsweringOptions>>().Value.MaxAnswerTokens);
        });
        return services;
    }
}
