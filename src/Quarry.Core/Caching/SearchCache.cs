using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Quarry.Diagnostics;
using Quarry.Retrieval;

namespace Quarry.Caching;

/// <summary>
/// Search results in this process's memory, keyed like answers (tenant, access scope, knowledge bases and their
/// versions, filters, top K) plus the query, so a change to the knowledge makes every earlier entry unreachable.
/// There is no shared layer for searches: a network round trip to Redis costs about what the search does.
/// Identical searches in flight at once run once.
/// </summary>
public sealed class SearchCache : IDisposable
{
    private readonly Retriever _retriever;
    private readonly IKnowledgeVersions _versions;
    private readonly AnswerCacheOptions _options;
    private readonly MemoryCache _entries;
    private readonly ConcurrentDictionary<string, Lazy<Task<RetrievalResult>>> _flights = new(StringComparer.Ordinal);

    internal SearchCache(Retriever retriever, IKnowledgeVersions versions, AnswerCacheOptions options)
    {
        _retriever = retriever;
        _versions = versions;
        _options = options;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1024, options.L1SizeBytes / 4) });
    }

    /// <returns>The results, and whether they came from the cache ("l1" for a hit, "bypass"/"off", or null for a miss).</returns>
    public async Task<(RetrievalResult Result, AnswerCacheInfo Cache)> SearchAsync(RetrievalRequest request, AnswerCacheRequest cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cache);
        if (!_options.Enabled || !_options.Search || _options.DisabledTenants.Contains(request.Filter.Tenant.Value, StringComparer.Ordinal))
            return (await _retriever.RetrieveAsync(request, cancellationToken), AnswerCacheInfo.Off);
        if (cache.Bypass) return (await _retriever.RetrieveAsync(request, cancellationToken), AnswerCacheInfo.Bypassed);

        var version = await _versions.GetKnowledgeVersionAsync(request.Filter.Tenant, request.Filter.KnowledgeBases, cancellationToken);
        var key = AnswerCacheKeys.Search(request, version, cache.AccessScope);
        if (_entries.TryGetValue(key, out Entry? hit) && hit is not null)
        {
            Count(hit: true);
            return (hit.Result, new AnswerCacheInfo(true, "l1", Math.Round((Environment.TickCount64 - hit.CreatedAt) / 1000.0, 3)));
        }
        Count(hit: false);
        var flight = new Lazy<Task<RetrievalResult>>(() => ComputeAsync(key, request, cancellationToken));
        var current = _flights.GetOrAdd(key, flight);
        try
        {
            var result = await current.Value.WaitAsync(cancellationToken);
            return (result, ReferenceEquals(current, flight) ? AnswerCacheInfo.Miss : new AnswerCacheInfo(true, "l1", 0));
        }
        catch (OperationCanceledException) when (!ReferenceEquals(current, flight) && !cancellationToken.IsCancellationRequested)
        {
            return (await _retriever.RetrieveAsync(request, cancellationToken), AnswerCacheInfo.Miss);
        }
        finally
        {
            if (ReferenceEquals(current, flight)) _flights.TryRemove(new KeyValuePair<string, Lazy<Task<RetrievalResult>>>(key, flight));
        }
    }

    public void Dispose() => _entries.Dispose();

    private async Task<RetrievalResult> ComputeAsync(string key, RetrievalRequest request, CancellationToken cancellationToken)
    {
        var result = await _retriever.RetrieveAsync(request, cancellationToken);
        // A result retrieved on fewer signals than configured (an embedder down) is not kept: the next search may do better.
        if (result.Degraded is null || result.Mode == "keyword" && result.Degraded.StartsWith("keyword-only: no embedder", StringComparison.Ordinal))
        {
            var size = 256 + result.Chunks.Sum(c => 2L * (c.Chunk.Text.Length + c.Chunk.Title.Length + c.Chunk.SourceUri.Length) + 256);
            _entries.Set(key, new Entry(result, Environment.TickCount64), new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = _options.L1Ttl });
        }
        return result;
    }

    private static void Count(bool hit)
    {
        var tag = new KeyValuePair<string, object?>(AiMetrics.Tags.Layer, "search");
        if (hit) AiMetrics.CacheHits.Add(1, tag);
        else AiMetrics.CacheMisses.Add(1, tag);
    }

    private sealed record Entry(RetrievalResult Result, long CreatedAt);
}
