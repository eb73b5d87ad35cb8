using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Quarry.Citations;

public static class CitationsServiceCollectionExtensions
{
    /// <summary>Registers the citation verifier with <see cref="CitationOptions"/> validated at start-up.</summary>
    public static IServiceCollection AddQuarryCitations(this IServiceCollection services, Action<CitationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CitationOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<CitationVerifier>();
        return services;
    }
}
