using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Reranking;
using Quarry.Retrieval.Fusion;
using Quarry.Storage;

namespace Quarry.Retrieval;

/// <summary>
/// Runs a query through the configured searches with the filter applied inside each, fuses them and returns chunks
/// with their metadata. Keyword and vector searches run in parallel and are fused by reciprocal rank; with no
/// embedder (or one that fails or is slow) it runs keyword-only and says why in <see cref="RetrievalResult.Degraded"/>.
/// </summary>
public sealed partial class Retriever
{
    private readonly IKeywordIndex _keywords;
    private readonly IDocumentStore _store;
    private readonly IEmbedder? _embedder;
    private readonly IVectorIndex? _vectors;
    private readonly RetrievalOptions _options;
    private readonly ILogger<Retriever> _logger;
    private readonly CharNgramScorer _charNgrams;
    private readonly CandidateReranker? _reranker;

    internal Retriever(IKeywordIndex keywords, IDocumentStore store, IEmbedder? embedder, IVectorIndex? vectors,
        IOptions<RetrievalOptions> options, ILogger<Retriever> logger, CandidateReranker? reranker = null)
    {
        _reranker = reranker;
        _keywords = keywords;
        _store = store;
        _embedder = embedder;
        _vectors = vectors;
        _options = options.Value;
        _logger = logger;
        _charNgrams = new CharNgramScorer((long)_options.CharNgramCacheMegabytes << 20);
    }

    public async Task<RetrievalResult> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = Validate(request.Query);
        var topK = request.TopK ?? _options.TopK;
        if (topK is < 1 or > 200) throw new InvalidQueryException($"topK must be between 1 and 200 (was {topK}).");
        // Keyword-only with nothing to re-order the hits after the search: its top K are the answer.
        var keywordOrderIsFinal = (_embedder is null || _vectors is null) && _reranker is null && _options.CharNgramWeight <= 0;
        var candidates = keywordOrderIsFinal ? topK : Math.Max(topK, _options.CandidatesPerSearch);

        using var stage = RetrievalTelemetry.Whole(hybrid: _embedder is not null && _vectors is not null);
        stage.Activity?.SetTag("quarry.retrieve.top_k", topK);
        var keywordTask = SearchKeywordsAsync(new KeywordSearchRequest(query, request.Filter, candidates), cancellationToken);
        var vectorTask = SearchVectorsAsync(query, request.Filter, candidates, cancellationToken);
        var keywordHits = await keywordTask;
        var (vectorHits, degraded) = await vectorTask;

        var ranked = vectorHits is null
            ? keywordHits.Select(h => (h.ChunkId, h.Score)).ToList()
            : ReciprocalRankFusion.Fuse(
                [
                    new FusionList("keyword", keywordHits.Select(h => new ScoredChunk(h.ChunkId, h.DocumentId, h.Score)).ToList(), _options.KeywordWeight),
                    new FusionList("vector", vectorHits.Select(h => new ScoredChunk(h.ChunkId, h.DocumentId, h.Score)).ToList(), _options.VectorWeight),
                ], _options.RrfK).Select(f => (f.ChunkId, f.Score)).ToList();
        var keywordById = keywordHits.Select((h, i) => (h, i)).ToDictionary(x => x.h.ChunkId, x => (Rank: x.i + 1, x.h.Score));
        var vectorById = (vectorHits ?? []).Select((h, i) => (h, i)).ToDictionary(x => x.h.ChunkId, x => (Rank: x.i + 1, x.h.Score));

        // When nothing after this re-orders the candidates, only the top K are read from the store.
        var reordered = _reranker is not null || (vectorHits is null && _options.CharNgramWeight > 0);
        var byId = await HydrateAsync(request.Filter.Tenant, ranked, reordered ? ranked.Count : topK, cancellationToken);
        var results = new List<RetrievedChunk>(ranked.Count);
        foreach (var (id, score) in ranked)
        {
            // A chunk replaced between search and hydration is simply skipped: readers never see a mix of versions.
            if (!byId.TryGetValue(id, out var chunk)) continue;
            (int Rank, double Score)? k = keywordById.TryGetValue(id, out var kw) ? kw : null;
            (int Rank, double Score)? v = vectorById.TryGetValue(id, out var vec) ? vec : null;
            results.Add(new RetrievedChunk(chunk, score, k?.Rank, k?.Score, v?.Rank, v?.Score));
        }
        if (vectorHits is null && _options.CharNgramWeight > 0 && results.Count > 1)
            results = FuseCharNgrams(query, results);

        if (_reranker is not null)
            (results, degraded) = await RerankAsync(query, results, degraded, cancellationToken);

        stage.Activity?.SetTag("quarry.retrieve.results", Math.Min(topK, results.Count));
        if (degraded is not null) stage.Activity?.SetTag("quarry.retrieve.degraded", degraded);
        var result = new RetrievalResult(results.Take(topK).ToList(), vectorHits is null ? "keyword" : "hybrid", degraded);
        Record(RequestFacts.Current, request, result, reordered ? results.Count : ranked.Count);
        return result;
    }

    /// <summary>The chunks of the first <paramref name="count"/> ranked ids; past them, as many more as were replaced
    /// since the search (skipped below), so a cut list still fills when it can.</summary>
    private async Task<Dictionary<ChunkId, Chunk>> HydrateAsync(TenantId tenant, List<(ChunkId ChunkId, double Score)> ranked, int count, CancellationToken cancellationToken)
    {
        var byId = new Dictionary<ChunkId, Chunk>();
        var next = 0;
        while (next < ranked.Count && byId.Count < count)
        {
            var take = ranked.Skip(next).Take(count - byId.Count).Select(r => r.ChunkId).ToList();
            next += take.Count;
            foreach (var chunk in await _store.GetChunksByIdAsync(tenant, take, cancellationToken))
                byId[chunk.Id] = chunk;
        }
        return byId;
    }

    private static void Record(RequestFacts? facts, RetrievalRequest request, RetrievalResult result, int candidates)
    {
        if (facts is null) return;
        facts.Query ??= request.Query;
        facts.KnowledgeBases = [.. request.Filter.KnowledgeBases.Select(k => k.Value)];
        facts.Filters ??= FilterDescription.Of(request.Filter);
        facts.RetrievalMode = result.Mode;
        facts.CandidateCount = candidates;
        if (result.Degraded is not null) facts.FallbackPath ??= result.Degraded;
        facts.SetRetrieved(result.Chunks.Select(r => new RetrievedFact(r.Chunk.Id.Value, r.Chunk.DocumentId.Value, r.Chunk.Version, r.Score)));
    }

    /// <summary>The rerank stage over the fused candidates; its reason for skipping joins any earlier one.</summary>
    private async Task<(List<RetrievedChunk> Results, string? Degraded)> RerankAsync(
        string query, List<RetrievedChunk> results, string? degraded, CancellationToken cancellationToken)
    {
        var (reranked, skipped) = await _reranker!.RerankAsync(query, results, cancellationToken);
        return (reranked, skipped is null ? degraded : degraded is null ? skipped : degraded + "; " + skipped);
    }

    private async Task<IReadOnlyList<KeywordHit>> SearchKeywordsAsync(KeywordSearchRequest request, CancellationToken cancellationToken)
    {
        using var span = RetrievalTelemetry.Search("keyword", _keywords);
        return await _keywords.SearchAsync(request, cancellationToken);
    }

    /// <summary>The vector half: null hits and a reason when it cannot run, so the keyword half answers alone.</summary>
    private async Task<(IReadOnlyList<VectorHit>? Hits, string? Degraded)> SearchVectorsAsync(
        string query, SearchFilter filter, int candidates, CancellationToken cancellationToken)
    {
        if (_embedder is null || _vectors is null)
            return (null, "keyword-only: no embedder is configured");
        var gate = EmbeddingModelGate.Decide(filter, await _store.ListKnowledgeBasesAsync(filter.Tenant, cancellationToken), _embedder.Model);
        if (gate.Filter is null) return (null, gate.Degraded);
        using var span = RetrievalTelemetry.Search("vector", _vectors);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.EmbeddingTimeout);
        try
        {
            var vectors = await _embedder.EmbedAsync([query], EmbeddingKind.Query, timeout.Token);
            var model = _embedder.Model;
            if (vectors.Count != 1 || (model.Dimension > 0 && vectors[0].Length != model.Dimension))
                throw new EmbeddingException($"The embedder returned {vectors.Count} vector(s) of {(vectors.Count > 0 ? vectors[0].Length : 0)} dimensions; expected 1 of {model.Dimension}.", isTransient: false);
            return (await _vectors.SearchAsync(new VectorSearchRequest(vectors[0], model.Id, gate.Filter, candidates), timeout.Token), gate.Degraded);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            RetrievalLog.EmbedderDegraded(_logger, "timed out");
            return (null, $"keyword-only: the embedder did not answer within {_options.EmbeddingTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is EmbeddingException or ArgumentException or HttpRequestException)
        {
            RetrievalLog.EmbedderDegraded(_logger, ex.Message);
            return (null, "keyword-only: the embedder is unavailable (" + ex.Message + ")");
        }
    }

    /// <summary>Re-scores keyword candidates with <see cref="CharNgramSignal"/>: keyword scores divided by the top
    /// score, n-gram cosines min-max scaled, then a weighted sum.</summary>
    private List<RetrievedChunk> FuseCharNgrams(string query, List<RetrievedChunk> candidates)
    {
        using var stage = QuarryTelemetry.StartStage("retrieval.char_ngrams");
        var cosine = _charNgrams.Score(query, candidates.ConvertAll(c => c.Chunk));
        var top = candidates.Max(c => c.KeywordScore ?? 0);
        var (min, max) = (cosine.Min(), cosine.Max());
        var weight = _options.CharNgramWeight;
        return candidates
            .Select((c, i) => c with
            {
                Score = (1 - weight) * (top > 0 ? (c.KeywordScore ?? 0) / top : 0) + weight * (max > min ? (cosine[i] - min) / (max - min) : 0),
            })
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.KeywordRank)
            .ToList();
    }

    private string Validate(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
            throw new InvalidQueryException("The query is empty.");
        if (query.Length > _options.MaxQueryLength)
            throw new InvalidQueryException($"The query is {query.Length:N0} characters long; the limit is {_options.MaxQueryLength:N0} (Retrieval:MaxQueryLength).");
        return query;
    }
}
