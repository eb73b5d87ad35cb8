using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Caching;
using Quarry.Caching.Redis;
using Quarry.Storage.Postgres;

namespace Quarry.Server.Hosting;

/// <summary>
/// The answer cache (docs/CACHING.md). L1 is always on unless <c>Cache:Enabled=false</c>. L2 (<c>Cache:L2</c>:
/// <c>auto</c>, the default, or <c>none</c>) is Redis when <c>Cache:Redis:Configuration</c> is set, else the PostgreSQL
/// store when that is the store; the single-process SQLite default has none (L1 already covers its one process).
/// </summary>
internal static class CacheConfiguration
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddQuarryAnswerCache(o => configuration.GetSection(AnswerCacheOptions.SectionName).Bind(o));
        var l2 = configuration["Cache:L2"]?.Trim().ToLowerInvariant() ?? "auto";
        if (l2 is not ("auto" or "none"))
            throw new InvalidOperationException($"Unknown Cache:L2 '{configuration["Cache:L2"]}': use 'auto' (Redis if Cache:Redis:Configuration is set, else PostgreSQL when it is the store) or 'none'.");
        if (l2 == "none") return;
        if (!string.IsNullOrWhiteSpace(configuration[RedisCacheOptions.SectionName + ":Configuration"]))
            services.AddQuarryRedisAnswerCache(o => configuration.GetSection(RedisCacheOptions.SectionName).Bind(o));
        else if (StorageConfiguration.Provider(configuration) == StorageConfiguration.Postgres)
            services.AddQuarryPostgresAnswerCache();
    }
}
