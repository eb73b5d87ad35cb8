using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Caching.Redis;

public static class RedisCachingServiceCollectionExtensions
{
    /// <summary>Redis as the answer cache's shared layer (<see cref="IAnswerCacheStore"/>).</summary>
    public static IServiceCollection AddQuarryRedisAnswerCache(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisCacheOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new RedisAnswerCacheStore(sp.GetRequiredService<IOptions<RedisCacheOptions>>().Value));
        services.TryAddSingleton<IAnswerCacheStore>(sp => sp.GetRequiredService<RedisAnswerCacheStore>());
        services.AddHostedService<RedisConnectionStarter>();
        return services;
    }
}
