using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// Remembers key lookups (hits and misses) for <see cref="AuthOptions.KeyCacheDuration"/>, so that a busy client
/// costs one store query per period rather than one per request. Bounded: it is cleared when it grows too large,
/// which stops a flood of random keys from growing it without limit.
/// </summary>
internal sealed class ApiKeyCache(ITenantStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.KeyCacheDuration;

    public async ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(key);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(hash, out var cached) && cached.Expires > now)
            return cached.Key;
        var found = await store.FindApiKeyAsync(hash, cancellationToken);
        if (_duration > TimeSpan.Zero)
        {
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[hash] = (found, now + _duration);
        }
        return found;
    }

    /// <summary>Forgets every cached lookup (after a key of this process was revoked).</summary>
    public void Clear() => _entries.Clear();
}
