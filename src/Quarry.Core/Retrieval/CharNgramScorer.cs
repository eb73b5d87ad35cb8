using System.Diagnostics.Metrics;
using Quarry.Diagnostics;
using Quarry.Documents;

namespace Quarry.Retrieval;

/// <summary>
/// <see cref="CharNgramSignal"/> over chunks, with each chunk's <see cref="NgramProfile"/> kept in a least-recently-used
/// cache bounded in bytes. Chunk ids name one version of one chunk (a new version gets new ids), so an entry never
/// goes stale; replaced chunks simply stop being asked for and age out.
/// </summary>
internal sealed class CharNgramScorer(long capacityBytes)
{
    private static readonly Counter<long> Hits =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.retrieve.ngram_cache.hits", description: "Chunks whose n-gram profile came from the cache.");

    private static readonly Counter<long> Misses =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.retrieve.ngram_cache.misses", description: "Chunks whose n-gram profile had to be computed.");

    private readonly Lock _gate = new();
    private readonly Dictionary<ChunkId, LinkedListNode<(ChunkId Id, NgramProfile Profile)>> _entries = [];
    private readonly LinkedList<(ChunkId Id, NgramProfile Profile)> _recency = new();
    private long _bytes;

    internal long CachedBytes
    {
        get { lock (_gate) return _bytes; }
    }

    internal bool IsCached(ChunkId id)
    {
        lock (_gate) return _entries.ContainsKey(id);
    }

    /// <returns>Cosine similarity per chunk, in chunk order.</returns>
    public double[] Score(string query, IReadOnlyList<Chunk> chunks)
    {
        var profiles = new NgramProfile[chunks.Count];
        var hits = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (TryGet(chunks[i].Id, out var cached))
            {
                profiles[i] = cached;
                hits++;
                continue;
            }
            profiles[i] = NgramProfile.Of(TextOf(chunks[i]));
            Add(chunks[i].Id, profiles[i]);
        }
        if (hits > 0) Hits.Add(hits);
        if (chunks.Count > hits) Misses.Add(chunks.Count - hits);
        return CharNgramSignal.Score(query, profiles);
    }

    /// <summary>The cached profile of each chunk, null where it is not cached (its text must be read to build it).</summary>
    public NgramProfile?[] Cached(IReadOnlyList<ChunkId> ids)
    {
        var profiles = new NgramProfile?[ids.Count];
        var hits = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            if (TryGet(ids[i], out var cached)) (profiles[i], hits) = (cached, hits + 1);
        }
        if (hits > 0) Hits.Add(hits);
        return profiles;
    }

    /// <summary>Builds and caches the profile of a chunk that <see cref="Cached"/> did not have.</summary>
    public NgramProfile Profile(Chunk chunk)
    {
        var profile = NgramProfile.Of(TextOf(chunk));
        Add(chunk.Id, profile);
        Misses.Add(1);
        return profile;
    }

    /// <summary>What the signal compares with the query: title and heading trail count as text of the chunk.</summary>
    internal static string TextOf(Chunk chunk) => chunk.Title + "\n" + chunk.SectionPath + "\n" + chunk.Text;

    private bool TryGet(ChunkId id, out NgramProfile profile)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(id, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                profile = node.Value.Profile;
                return true;
            }
        }
        profile = null!;
        return false;
    }

    private void Add(ChunkId id, NgramProfile profile)
    {
        if (profile.Bytes > capacityBytes) return;
        lock (_gate)
        {
            if (_entries.ContainsKey(id)) return;
            _entries[id] = _recency.AddFirst((id, profile));
            _bytes += profile.Bytes;
            while (_bytes > capacityBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Id);
                _bytes -= oldest.Value.Profile.Bytes;
            }
        }
    }
}
