using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Storage;

namespace Quarry.Retrieval;

/// <summary>
/// Runs a query through the configured searches with the filter applied inside each, fuses them and returns chunks
/// with their metadata. With no embedder configured it runs keyword-only and says so in <see cref="RetrievalResult.Degraded"/>.
/// </summary>
public sealed class Retriever
{
    private readonly IKeywordIndex _keywords;
    private readonly IDocumentStore _store;
    private readonly RetrievalOptions _options;

    internal Retriever(IKeywordIndex keywords, IDocumentStore store, IOptions<RetrievalOptions> options)
    {
        _keywords = keywords;
        _store = store;
        _options = options.Value;
    }

    public async Task<RetrievalResult> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = Validate(request.Query);
        var topK = request.TopK ?? _options.TopK;
        if (topK is < 1 or > 200) throw new InvalidQueryException($"topK must be between 1 and 200 (was {topK}).");

        using var stage = QuarryTelemetry.StartStage("retrieve");
        stage.Activity?.SetTag("quarry.retrieve.top_k", topK);
        var hits = await _keywords.SearchAsync(new KeywordSearchRequest(query, request.Filter, Math.Max(topK, _options.CandidatesPerSearch)), cancellationToken);
        var chunks = await _store.GetChunksByIdAsync(request.Filter.Tenant, hits.Select(h => h.ChunkId).ToList(), cancellationToken);
        var byId = chunks.ToDictionary(c => c.Id);
        var candidates = new List<RetrievedChunk>(hits.Count);
        for (var i = 0; i < hits.Count; i++)
        {
            // A chunk replaced between search and hydration is simply skipped: readers never see a mix of versions.
            if (byId.TryGetValue(hits[i].ChunkId, out var chunk))
                candidates.Add(new RetrievedChunk(chunk, hits[i].Score, i + 1, hits[i].Score));
        }
        var results = (_options.CharNgramWeight > 0 && candidates.Count > 1 ? FuseCharNgrams(query, candidates) : candidates).Take(topK).ToList();
        stage.Activity?.SetTag("quarry.retrieve.results", results.Count);
        return new RetrievalResult(results, "keyword", "keyword-only: no embedder is configured");
    }

    /// <summary>Re-scores keyword candidates with <see cref="CharNgramSignal"/>: keyword scores divided by the top
    /// score, n-gram cosines min-max scaled, then a weighted sum.</summary>
    private List<RetrievedChunk> FuseCharNgrams(string query, List<RetrievedChunk> candidates)
    {
        using var stage = QuarryTelemetry.StartStage("retrieve.char_ngrams");
        var texts = candidates.Select(c => c.Chunk.Title + "\n" + c.Chunk.SectionPath + "\n" + c.Chunk.Text).ToList();
        var cosine = CharNgramSignal.Score(query, texts);
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
