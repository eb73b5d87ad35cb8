namespace Quarry.Tenancy;

/// <summary>
/// Token buckets kept where every replica sees them (PostgreSQL, Redis), so that N replicas together admit a tenant's
/// rate limit rather than N times it. Callers take tokens in small batches and spend them locally, so the store is
/// asked a few times per second per tenant, not once per request.
/// </summary>
public interface ISharedTokenBuckets
{
    /// <summary>Where the buckets live, for logs ("PostgreSQL", "Redis").</summary>
    string Name { get; }

    /// <summary>Refills the bucket <paramref name="partition"/> at <paramref name="perSecond"/> tokens per second up to
    /// <paramref name="burst"/> (a new bucket starts full), then takes up to <paramref name="wanted"/> whole tokens from
    /// it. Returns how many were taken, 0 to <paramref name="wanted"/>.</summary>
    Task<int> TakeAsync(string partition, int wanted, double perSecond, int burst, CancellationToken cancellationToken);
}
