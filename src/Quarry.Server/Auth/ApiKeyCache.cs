using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// Remembers key lookups for <see cref="AuthOptions.KeyCacheDuration"/>, so that a busy client costs one store query
/// per period rather than one per request. Valid keys and misses are kept apart and bounded apart: a flood of random
/// keys can only ever clear the misses, never push a valid key out. <see cref="KeyVersionWatcher"/> clears both when
/// any process creates or revokes a key.
/// </summary>
internal sealed class ApiKeyCache(ITenantStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    private const int MaxKnown = 100_000;
    private const int MaxMisses = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Key, DateTimeOffset Expires)> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _misses = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.KeyCacheDuration;

    public async ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(key);
        var now = time.GetUtcNow();
        if (_known.TryGetValue(hash, out var cached) && cached.Expires > now)
            return cached.Key;
        if (_misses.TryGetValue(hash, out var missExpires) && missExpires > now)
            return null;
        var found = await store.FindApiKeyAsync(hash, cancellationToken);
        if (_duration > TimeSpan.Zero)
        {
            if (found is null)
            {
                if (_misses.Count >= MaxMisses) _misses.Clear();
                _misses[hash] = now + _duration;
            }
            else
            {
                if (_known.Count >= MaxKnown) _known.Clear();
                _known[hash] = (found, now + _duration);
            }
        }
        return found;
    }

    /// <summary>True when <paramref name="key"/> was recently found valid: such requests skip the per-address limit
    /// on failed authentications, so an attacker behind the same address cannot lock out a working client.</summary>
    public bool IsKnownValid(string key) =>
        _known.TryGetValue(ApiKeys.Hash(key), out var cached) && cached.Expires > time.GetUtcNow();

    /// <summary>Forgets every cached lookup (after a key was created or revoked).</summary>
    public void Clear()
    {
        _known.Clear();
        _misses.Clear();
    }
}
