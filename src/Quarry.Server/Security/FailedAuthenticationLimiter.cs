using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Server.Limits;

namespace Quarry.Server.Security;

/// <summary>
/// The per-address limit that runs before authentication. Every 401 costs the client address a token; an address
/// without tokens gets 429 before its key is even looked up, unless the key it presents is one this process recently
/// found valid. So a flood of guessed keys is cut off cheaply while valid clients behind the same address keep working.
/// (Tenant rate limits run after authentication and never see requests that fail it.)
/// </summary>
internal sealed class FailedAuthenticationLimiter(IOptions<LimitOptions> options, ApiKeyCache keys) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _buckets = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.FailedAuthenticationBurst,
            TokensPerPeriod = options.Value.FailedAuthenticationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!PresentsKnownKey(context) && _buckets.GetStatistics(address)?.CurrentAvailablePermits is <= 0)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(1.0 / options.Value.FailedAuthenticationsPerSecond));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var problem = Problems.Create(Problems.RateLimited,
                "Too many requests with invalid API keys came from this address; retry later with a valid key.");
            problem.Extensions["retryAfterSeconds"] = seconds;
            await Problems.WriteAsync(context, problem);
            return;
        }
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
            _buckets.AttemptAcquire(address).Dispose();
    }

    private bool PresentsKnownKey(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        return header is { Length: > 7 and <= 207 } && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && keys.IsKnownValid(header["Bearer ".Length..].Trim());
    }

    public void Dispose() => _buckets.Dispose();
}
