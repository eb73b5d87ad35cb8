using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Quarry.Server.Auth;

namespace Quarry.Server.Limits;

/// <summary>
/// How many answers each tenant may have in generation at once (<c>Server:Limits:…:ConcurrentAsks</c>). Taken by the
/// answer cache only when it must compute an answer, so cached answers never wait behind slow generations nor fill
/// the slots; refused requests get 429 with Retry-After.
/// </summary>
internal sealed class AskSlots : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
    {
        var (key, limits) = RateLimiting.Partition(context);
        return RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.ConcurrentAsks!.Value,
            QueueLimit = 0,
        });
    });

    /// <summary>The admission the answer cache calls for <paramref name="context"/>'s request.</summary>
    public Func<CancellationToken, ValueTask<IDisposable>> For(HttpContext context) => async cancellationToken =>
    {
        var lease = await _limiter.AcquireAsync(context, 1, cancellationToken);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new AskSlotsExhaustedException(context.User.TryTenant()?.Value);
    };

    public void Dispose() => _limiter.Dispose();
}

/// <summary>The tenant already has as many answers in generation as it may.</summary>
internal sealed class AskSlotsExhaustedException(string? tenant)
    : Exception($"Too many answers are being generated for {(tenant is null ? "this client" : $"tenant '{tenant}'")} at once; retry when one finishes.");
