using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval.Fusion;

namespace Quarry.Retrieval;

public sealed partial class Retriever
{
    /// <summary>
    /// The searches' hits turned into one ranking. Normalized-score fusion (the default) keeps the character n-gram
    /// signal whether or not a vector search ran; reciprocal-rank fusion (<see cref="FusionMethod.ReciprocalRank"/>)
    /// is kept for comparison and fuses keyword and vector ranks alone.
    /// </summary>
    private async Task<List<RetrievedChunk>> FuseAsync(string query, TenantId tenant, IReadOnlyList<KeywordHit> keywordHits,
        IReadOnlyList<VectorHit>? vectorHits, CancellationToken cancellationToken)
    {
        if (vectorHits is not null && _options.Fusion == FusionMethod.ReciprocalRank)
        {
            var fused = ReciprocalRankFusion.Fuse(
                [
                    new FusionList("keyword", keywordHits.Select(h => new ScoredChunk(h.ChunkId, h.DocumentId, h.Score)).ToList(), _options.KeywordWeight),
                    new FusionList("vector", vectorHits.Select(h => new ScoredChunk(h.ChunkId, h.DocumentId, h.Score)).ToList(), _options.VectorWeight),
                ], _options.RrfK);
            var rrfScores = fused.ToDictionary(f => f.ChunkId, f => f.Score);
            var (rrfChunks, rrfCandidates) = await CandidatesAsync(tenant, keywordHits, vectorHits, query: null, cancellationToken);
            return rrfCandidates.Select((c, i) => Retrieved(rrfChunks[i], c, rrfScores[c.ChunkId]))
                .OrderByDescending(r => r.Score).ThenBy(r => Math.Min(r.KeywordRank ?? int.MaxValue, r.VectorRank ?? int.MaxValue))
                .ThenBy(r => r.Chunk.Id.Value, StringComparer.Ordinal).ToList();
        }

        var (chunks, candidates) = await CandidatesAsync(tenant, keywordHits, vectorHits, query, cancellationToken);
        // Keyword-only without the n-gram signal keeps the raw BM25 scores (nothing to fuse).
        if (vectorHits is null && candidates.All(c => c.CharCosine is null))
            return candidates.Select((c, i) => Retrieved(chunks[i], c, c.KeywordScore ?? 0)).ToList();
        // Keyword-only keeps the keyword side's own scale (1 · …), as the evidence scores shown to users always had.
        var weights = vectorHits is null
            ? new HybridWeights(1, 0, _options.CharNgramWeight)
            : new HybridWeights(_options.KeywordWeight, _options.VectorWeight, _options.CharNgramWeight);
        var index = candidates.Select((c, i) => (c.ChunkId, i)).ToDictionary(x => x.ChunkId, x => x.i);
        return HybridScoreFusion.Rank(candidates, weights).Select(r => Retrieved(chunks[index[r.Candidate.ChunkId]], r.Candidate, r.Score)).ToList();
    }

    /// <summary>
    /// What each signal said about every candidate, before fusion: for evaluation, which compares fusions (and their
    /// weights) on the same searches. Runs the same searches, with the same filter, as <see cref="RetrieveAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<(Chunk Chunk, HybridCandidate Signals)>> RetrieveCandidatesAsync(RetrievalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = Validate(request.Query);
        var candidates = Math.Max(request.TopK ?? _options.TopK, _options.CandidatesPerSearch);
        var keywordTask = SearchKeywordsAsync(new KeywordSearchRequest(query, request.Filter, candidates), cancellationToken);
        var vectorTask = SearchVectorsAsync(query, request.Filter, candidates, cancellationToken);
        var keywordHits = await keywordTask;
        var (vectorHits, _) = await vectorTask;
        var (chunks, signals) = await CandidatesAsync(request.Filter.Tenant, keywordHits, vectorHits, query, cancellationToken);
        return chunks.Select((c, i) => (c, signals[i])).ToList();
    }

    /// <summary>The union of the hits (keyword order, then vector-only hits in vector order), hydrated, with the
    /// n-gram cosine of each when <paramref name="query"/> is given and the signal is on. A chunk replaced between
    /// search and hydration is skipped: readers never see a mix of versions.</summary>
    private async Task<(List<Chunk> Chunks, List<HybridCandidate> Candidates)> CandidatesAsync(TenantId tenant,
        IReadOnlyList<KeywordHit> keywordHits, IReadOnlyList<VectorHit>? vectorHits, string? query, CancellationToken cancellationToken)
    {
        var (order, keywordById, vectorById) = Union(keywordHits, vectorHits);
        Dictionary<ChunkId, Chunk> byId;
        using (QuarryTelemetry.StartStage("retrieval.hydrate"))
            byId = (await _store.GetChunksByIdAsync(tenant, order, cancellationToken)).ToDictionary(c => c.Id);
        var chunks = order.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        double[]? cosine = null;
        // Keyword-only, a lone candidate keeps its raw BM25 score (nothing to compare it with); in hybrid fusion its
        // n-gram cosine still counts against the vector side.
        if (query is not null && _options.CharNgramWeight > 0 && chunks.Count > (vectorHits is null ? 1 : 0))
        {
            using var stage = QuarryTelemetry.StartStage("retrieval.char_ngrams");
            cosine = _charNgrams.Score(query, chunks);
        }
        var candidates = chunks.Select((c, i) => Candidate(c.Id, keywordById, vectorById, cosine?[i])).ToList();
        return (chunks, candidates);
    }

    private sealed record HitUnion(List<ChunkId> Order, Dictionary<ChunkId, (int Rank, double Score)> Keyword, Dictionary<ChunkId, (int Rank, double Score)> Vector);

    /// <summary>Keyword hits in their order, then the vector-only hits in theirs, with each side's rank and score.</summary>
    private static HitUnion Union(IReadOnlyList<KeywordHit> keywordHits, IReadOnlyList<VectorHit>? vectorHits)
    {
        var keywordById = new Dictionary<ChunkId, (int Rank, double Score)>();
        var order = new List<ChunkId>(keywordHits.Count + (vectorHits?.Count ?? 0));
        for (var i = 0; i < keywordHits.Count; i++)
        {
            if (keywordById.TryAdd(keywordHits[i].ChunkId, (i + 1, keywordHits[i].Score))) order.Add(keywordHits[i].ChunkId);
        }
        var vectorById = new Dictionary<ChunkId, (int Rank, double Score)>();
        for (var i = 0; i < (vectorHits?.Count ?? 0); i++)
        {
            var hit = vectorHits![i];
            if (vectorById.TryAdd(hit.ChunkId, (i + 1, hit.Score)) && !keywordById.ContainsKey(hit.ChunkId)) order.Add(hit.ChunkId);
        }
        return new HitUnion(order, keywordById, vectorById);
    }

    private static HybridCandidate Candidate(ChunkId id, Dictionary<ChunkId, (int Rank, double Score)> keyword,
        Dictionary<ChunkId, (int Rank, double Score)> vector, double? cosine)
    {
        (int Rank, double Score)? k = keyword.TryGetValue(id, out var kw) ? kw : null;
        (int Rank, double Score)? v = vector.TryGetValue(id, out var vec) ? vec : null;
        return new HybridCandidate(id, k?.Score, k?.Rank, cosine, v?.Score, v?.Rank);
    }

    private static RetrievedChunk Retrieved(Chunk chunk, HybridCandidate c, double score) =>
        new(chunk, score, c.KeywordRank, c.KeywordScore, c.VectorRank, c.VectorScore);
}
