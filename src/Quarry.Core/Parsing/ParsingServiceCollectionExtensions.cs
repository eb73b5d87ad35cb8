// Placeholder until the parsers branch lands (it replaces this file).
using Microsoft.Extensions.DependencyInjection;

namespace Quarry.Parsing;

public static class ParsingServiceCollectionExtensions
{
    public static IServiceCollection AddQuarryParsing(this IServiceCollection services, Action<ParsingOptions>? configure = null)
    {
        services.AddOptions<ParsingOptions>().Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DocumentParserSelector>();
        return services;
    }
}
