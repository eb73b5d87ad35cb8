namespace Quarry.Generation;

/// <summary>
/// A token bucket on <see cref="TimeProvider"/>: tokens refill continuously up to the capacity and each request takes
/// one. Our own rather than System.Threading.RateLimiting's, which reads the system clock and so cannot be tested
/// without waiting.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _tokensPerSecond;
    private double _tokens;
    private long _updated;

    public TokenBucket(ChatRateLimitOptions options, TimeProvider time)
    {
        _time = time;
        _capacity = options.Capacity;
        _tokensPerSecond = options.RequestsPerMinute / 60.0;
        _tokens = _capacity;
        _updated = time.GetTimestamp();
    }

    public double RequestsPerMinute => _tokensPerSecond * 60;

    /// <summary>Takes a token, or says how long until one is there.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_updated, now).TotalSeconds * _tokensPerSecond);
            _updated = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _tokensPerSecond);
            return false;
        }
    }
}
