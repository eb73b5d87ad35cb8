using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Quarry.Tenancy;

namespace Quarry.Server.Limits;

/// <summary>
/// One tenant's requests-per-second limit, shared by every replica through <see cref="ISharedTokenBuckets"/>. Tokens
/// are taken from the shared bucket in batches of about a tenth of a second's worth and spent locally; a batch not
/// spent within a second is dropped (so idle replicas cannot hoard). When the store cannot be reached the limiter
/// falls back to a bucket of its own process (limits then hold per replica again) and says so once.
/// </summary>
internal sealed class SharedTokenBucketLimiter : RateLimiter
{
    private static readonly TimeSpan BatchLifetime = TimeSpan.FromSeconds(1);
    private readonly ISharedTokenBuckets _store;
    private readonly SharedLimitHealth _health;
    private readonly string _partition;
    private readonly double _perSecond;
    private readonly int _burst;
    private readonly int _batch;
    private readonly TimeProvider _time;
    private readonly TokenBucketRateLimiter _fallback;
    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly Lock _gate = new();
    private int _local;
    private long _localExpires;
    private long _lastUsed;

    public SharedTokenBucketLimiter(ISharedTokenBuckets store, SharedLimitHealth health, string partition, int perSecond, int burst, TimeProvider time)
    {
        _store = store;
        _health = health;
        _partition = partition;
        _perSecond = perSecond;
        _burst = burst;
        _batch = Math.Clamp((int)Math.Ceiling(perSecond / 10.0), 1, burst);
        _time = time;
        _lastUsed = time.GetTimestamp();
        _fallback = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public override TimeSpan? IdleDuration => _time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate) return new RateLimiterStatistics { CurrentAvailablePermits = _local };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Interlocked.Exchange(ref _lastUsed, _time.GetTimestamp());
        return TrySpendLocal(permitCount) ? Lease.Granted : Lease.Refused(RetryAfter());
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (TrySpendLocal(permitCount)) return Lease.Granted;
        await _refill.WaitAsync(cancellationToken);
        try
        {
            // Another request may have refilled while this one waited.
            if (TrySpendLocal(permitCount)) return Lease.Granted;
            if (!_health.WorthTrying()) return await _fallback.AcquireAsync(permitCount, cancellationToken);
            int taken;
            try
            {
                taken = await _store.TakeAsync(_partition, Math.Max(_batch, permitCount), _perSecond, _burst, cancellationToken);
                _health.Reachable();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _health.Unreachable(_store.Name, ex);
                return await _fallback.AcquireAsync(permitCount, cancellationToken);
            }
            lock (_gate)
            {
                _local = taken;
                _localExpires = _time.GetTimestamp() + (long)(BatchLifetime.TotalSeconds * _time.TimestampFrequency);
            }
            return TrySpendLocal(permitCount) ? Lease.Granted : Lease.Refused(RetryAfter());
        }
        finally
        {
            _refill.Release();
        }
    }

    private bool TrySpendLocal(int permitCount)
    {
        lock (_gate)
        {
            if (_local < permitCount || _time.GetTimestamp() > _localExpires) return permitCount == 0;
            _local -= permitCount;
            return true;
        }
    }

    private TimeSpan RetryAfter() => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(1 / _perSecond)));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fallback.Dispose();
            _refill.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}

/// <summary>Whether the shared buckets are reachable, logged once per change rather than once per request.</summary>
internal sealed partial class SharedLimitHealth(ILogger<SharedLimitHealth> logger, TimeProvider time)
{
    // While the store is down, asking it on every refill would add its connect timeout to requests.
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);
    private int _unreachable;
    private long _failedAt;

    public bool WorthTrying() =>
        Volatile.Read(ref _unreachable) == 0 || time.GetElapsedTime(Interlocked.Read(ref _failedAt)) > RetryInterval;

    public void Unreachable(string store, Exception exception)
    {
        Interlocked.Exchange(ref _failedAt, time.GetTimestamp());
        if (Interlocked.Exchange(ref _unreachable, 1) == 0) Lost(logger, store, exception.Message);
    }

    public void Reachable()
    {
        if (Interlocked.Exchange(ref _unreachable, 0) == 1) Back(logger);
    }

    [LoggerMessage(6052, LogLevel.Warning, "Shared rate-limit buckets in {Store} are unreachable ({Error}); each replica limits tenants on its own until they are back")]
    private static partial void Lost(ILogger logger, string store, string error);

    [LoggerMessage(6053, LogLevel.Information, "Shared rate-limit buckets are reachable again; tenant limits hold across replicas")]
    private static partial void Back(ILogger logger);
}
