using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quarry.Caching;

namespace Quarry.Storage.Postgres;

public static class PostgresAnswerCacheServiceCollectionExtensions
{
    /// <summary>The answer cache's shared layer in the PostgreSQL store (<c>AddQuarryPostgresStorage</c> first).</summary>
    public static IServiceCollection AddQuarryPostgresAnswerCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAnswerCacheStore>(sp => new PostgresAnswerCacheStore(
            sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
