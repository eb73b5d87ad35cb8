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
/// with their metadata. Keyword and vector searches run in parallel and are fused (<see cref="RetrievalOptions.Fusion"/>); with no
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

        List<RetrievedChunk> results;
        int fused;
        if (ReadsOnlySurvivors(vectorHits))
        {
            (results, fused) = await FuseReadingSurvivorsAsync(query, request.Filter.Tenant, keywordHits, vectorHits, topK, cancellationToken);
        }
        else
        {
            results = await FuseAsync(query, request.Filter.Tenant, keywordHits, vectorHits, cancellationToken);
            if (_reranker is not null)
                (results, degraded) = await RerankAsync(query, results, degraded, cancellationToken);
            fused = results.Count;
        }

        stage.Activity?.SetTag("quarry.retrieve.results", Math.Min(topK, results.Count));
        if (degraded is not null) stage.Activity?.SetTag("quarry.retrieve.degraded", degraded);
        var result = new RetrievalResult(results.Take(topK).ToList(), vectorHits is null ? "keyword" : "hybrid", degraded);
        Record(RequestFacts.Current, request, result, fused);
        return result;
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

    private string Validate(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
            throw new InvalidQueryException("The query is empty.");
        if (query.Length > _options.MaxQueryLength)
            throw new InvalidQueryException($"The query is {query.Length:N0} characters long; the limit is {_options.MaxQueryLength:N0} (Retrieval:MaxQueryLength).");
        return query;
    }
}
