using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quarry.Tokenization;

namespace Quarry.Prompting;

public static class PromptingServiceCollectionExtensions
{
    /// <summary>Registers the prompt builder with <see cref="PromptOptions"/> validated at start-up.</summary>
    public static IServiceCollection AddQuarryPrompting(this IServiceCollection services, Action<PromptOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PromptOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddQuarryTokenization();
        services.TryAddSingleton<PromptBuilder>();
        return services;
    }
}
