using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Generation;
using Quarry.Retrieval;

namespace Quarry.QueryExpansion;

public static class MultiQueryServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="MultiQueryRetriever"/> and its validated <see cref="MultiQueryOptions"/>; it
    /// asks the registered <see cref="IChatModel"/> for variants when <see cref="MultiQueryOptions.Variants"/> &gt; 0.
    /// <c>AddQuarryAnswering</c> calls it.</summary>
    public static IServiceCollection AddQuarryMultiQuery(this IServiceCollection services, Action<MultiQueryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MultiQueryOptions>().ValidateDataAnnotations()
            .Validate(o => o.Timeout > TimeSpan.Zero, "MultiQuery:Timeout must be positive.")
            .ValidateOnStart();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(sp => new MultiQueryRetriever(
            sp.GetRequiredService<Retriever>(),
            sp.GetService<IChatModel>(),
            sp.GetRequiredService<IOptions<MultiQueryOptions>>(),
            sp.GetService<ILogger<MultiQueryRetriever>>() ?? NullLogger<MultiQueryRetriever>.Instance));
        return services;
    }
}
