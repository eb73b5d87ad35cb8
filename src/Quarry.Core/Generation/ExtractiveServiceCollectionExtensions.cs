using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Quarry.Generation;

public static class ExtractiveServiceCollectionExtensions
{
    /// <summary>Registers the built-in extractive answerer with <see cref="ExtractiveAnswererOptions"/> validated at start-up.</summary>
    public static IServiceCollection AddQuarryExtractiveAnswerer(this IServiceCollection services, Action<ExtractiveAnswererOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ExtractiveAnswererOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ExtractiveAnswerer>();
        return services;
    }
}
