using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Quarry.Spending;

public static class SpendingServiceCollectionExtensions
{
    /// <summary>
    /// Prices chat-model calls and enforces per-tenant quotas (<see cref="SpendingOptions"/>, validated at start-up).
    /// The chat gateway is metered when this is registered; usage is kept in the <see cref="IUsageLedger"/> the store
    /// registers (without one, costs and counters still work but quotas cannot be enforced).
    /// </summary>
    public static IServiceCollection AddQuarrySpending(this IServiceCollection services, Action<SpendingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SpendingOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpendingOptions>, SpendingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new UsageMeter(
            sp.GetRequiredService<IOptions<SpendingOptions>>(),
            sp.GetService<IUsageLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<UsageMeter>()));
        return services;
    }
}
