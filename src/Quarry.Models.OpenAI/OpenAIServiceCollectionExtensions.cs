using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Embedding;

namespace Quarry.Models.OpenAI;

public static class OpenAIServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IEmbedder"/> for an OpenAI-compatible endpoint, with <see cref="OpenAIEmbeddingOptions"/>
    /// validated at start-up. Add <c>AddQuarryEmbeddingCache()</c> afterwards to cache its vectors.
    /// </summary>
    public static IServiceCollection AddQuarryOpenAIEmbeddings(this IServiceCollection services, Action<OpenAIEmbeddingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<OpenAIEmbeddingOptions>()
            .Configure(configure)
            .ValidateDataAnnotations()
            .Validate(o => o.Endpoint is { IsAbsoluteUri: true } endpoint && (endpoint.Scheme == Uri.UriSchemeHttps || endpoint.Scheme == Uri.UriSchemeHttp),
                "Endpoint must be an absolute http(s) URL, e.g. https://api.openai.com/v1.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Model), "Model must name the embedding model.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEmbedder>(sp => new OpenAICompatibleEmbedder(
            sp.GetRequiredService<IOptions<OpenAIEmbeddingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<OpenAICompatibleEmbedder>()));
        return services;
    }
}
