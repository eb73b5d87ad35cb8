using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Tenancy;

namespace Quarry.Server.Limits;

/// <summary>
/// Requests per second (token bucket) for every endpoint and concurrent asks for the answer endpoints, both
/// partitioned by tenant (by client address on anonymous routes). With a store every replica shares (PostgreSQL), the
/// per-tenant rate is one bucket for all replicas (<see cref="SharedTokenBucketLimiter"/>); concurrent asks stay per
/// process. Rejections are 429 problems with Retry-After.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddQuarryRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<SharedLimitHealth>();
        services.AddSingleton<AskSlots>();
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var (key, limits) = Partition(context);
                var shared = context.User.TryTenant() is null ? null : SharedBuckets(context);
                if (shared is not null)
                {
                    var health = context.RequestServices.GetRequiredService<SharedLimitHealth>();
                    var time = context.RequestServices.GetRequiredService<TimeProvider>();
                    return RateLimitPartition.Get(key, k => new SharedTokenBucketLimiter(shared, health, k, limits.RequestsPerSecond!.Value, limits.Burst!.Value, time));
                }
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst!.Value,
                    TokensPerPeriod = limits.RequestsPerSecond!.Value,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (rejected, _) =>
            {
                // A token bucket knows when the next token arrives; a concurrency limit does not, so say 1 s.
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problem = Problems.Create(Problems.RateLimited, "This tenant sent more requests per second than its limit.");
                problem.Extensions["retryAfterSeconds"] = seconds;
                await Problems.WriteAsync(rejected.HttpContext, problem);
            };
        });
        return services;
    }

    private static ISharedTokenBuckets? SharedBuckets(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value.SharedAcrossReplicas
            ? context.RequestServices.GetService<ISharedTokenBuckets>()
            : null;

    internal static (string Key, TenantLimits Limits) Partition(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
        var tenant = context.User.TryTenant();
        return tenant is { } t
            ? ("tenant:" + t.Value, options.For(t.Value))
            : ("ip:" + context.Connection.RemoteIpAddress, options.For(""));
    }
}
