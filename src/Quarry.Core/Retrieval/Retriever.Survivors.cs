using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval.Fusion;

namespace Quarry.Retrieval;

public sealed partial class Retriever
{
    /// <summary>Whether <see cref="FuseReadingSurvivorsAsync"/> may answer: normalized-score fusion with the n-gram
    /// signal on, and no reranker (which reads every candidate's text).</summary>
    private bool ReadsOnlySurvivors(IReadOnlyList<VectorHit>? vectorHits) =>
        _reranker is null && _options.CharNgramWeight > 0 && (vectorHits is null || _options.Fusion == FusionMethod.Scores);

    /// <summary>
    /// The same ranking as hydrating every candidate before fusion, reading far less: the n-gram signal needs a
    /// candidate's text only when its profile is not cached, and the caller gets the top K chunks only. Reading the
    /// ~100 candidates' whole chunks for each query was a quarter of the default path's time once their profiles
    /// were cached.
    /// </summary>
    /// <remarks>A chunk replaced after the search is skipped when it is read (readers never see a mix of versions)
    /// and the next candidate takes its place; one whose profile was cached still counted in that query's n-gram
    /// document frequencies and score normalization, which the search that found it also saw.</remarks>
    /// <returns>The top <paramref name="topK"/> results and how many candidates were fused.</returns>
    private async Task<(List<RetrievedChunk> Results, int Candidates)> FuseReadingSurvivorsAsync(string query, TenantId tenant,
        IReadOnlyList<KeywordHit> keywordHits, IReadOnlyList<VectorHit>? vectorHits, int topK, CancellationToken cancellationToken)
    {
        var (order, keywordById, vectorById) = Union(keywordHits, vectorHits);
        var cached = _charNgrams.Cached(order);
        var read = new Dictionary<ChunkId, Chunk>();
        var uncached = order.Where((_, i) => cached[i] is null).ToList();
        if (uncached.Count > 0)
        {
            using (QuarryTelemetry.StartStage("retrieval.hydrate"))
                foreach (var chunk in await _store.GetChunksByIdAsync(tenant, uncached, cancellationToken)) read[chunk.Id] = chunk;
        }

        var ids = new List<ChunkId>(order.Count);
        var profiles = new List<NgramProfile>(order.Count);
        for (var i = 0; i < order.Count; i++)
        {
            if (cached[i] is { } profile) profiles.Add(profile);
            else if (read.TryGetValue(order[i], out var chunk)) profiles.Add(_charNgrams.Profile(chunk));
            else continue; // replaced since the search
            ids.Add(order[i]);
        }

        double[]? cosine = null;
        // As in CandidatesAsync: keyword-only, a lone candidate keeps its raw BM25 score.
        if (ids.Count > (vectorHits is null ? 1 : 0))
        {
            using var stage = QuarryTelemetry.StartStage("retrieval.char_ngrams");
            cosine = CharNgramSignal.Score(query, profiles);
        }
        var candidates = ids.Select((id, i) => Candidate(id, keywordById, vectorById, cosine?[i])).ToList();
        IReadOnlyList<(HybridCandidate Candidate, double Score)> ranked = vectorHits is null && cosine is null
            ? candidates.Select(c => (c, c.KeywordScore ?? 0)).ToList()
            : HybridScoreFusion.Rank(candidates, vectorHits is null
                ? new HybridWeights(1, 0, _options.CharNgramWeight)
                : new HybridWeights(_options.KeywordWeight, _options.VectorWeight, _options.CharNgramWeight));
        return (await ReadTopAsync(tenant, ranked, read, topK, cancellationToken), ranked.Count);
    }

    /// <summary>The first <paramref name="topK"/> ranked candidates that still exist, read in as few calls as the
    /// replacements between search and read allow (one, normally).</summary>
    private async Task<List<RetrievedChunk>> ReadTopAsync(TenantId tenant, IReadOnlyList<(HybridCandidate Candidate, double Score)> ranked,
        Dictionary<ChunkId, Chunk> read, int topK, CancellationToken cancellationToken)
    {
        var results = new List<RetrievedChunk>(Math.Min(topK, ranked.Count));
        var next = 0;
        while (results.Count < topK && next < ranked.Count)
        {
            var window = ranked.Skip(next).Take(topK - results.Count).ToList();
            next += window.Count;
            var missing = window.Select(r => r.Candidate.ChunkId).Where(id => !read.ContainsKey(id)).ToList();
            if (missing.Count > 0)
            {
                using (QuarryTelemetry.StartStage("retrieval.hydrate"))
                    foreach (var chunk in await _store.GetChunksByIdAsync(tenant, missing, cancellationToken)) read[chunk.Id] = chunk;
            }
            foreach (var (candidate, score) in window)
            {
                if (read.TryGetValue(candidate.ChunkId, out var chunk)) results.Add(Retrieved(chunk, candidate, score));
            }
        }
        return results;
    }
}
