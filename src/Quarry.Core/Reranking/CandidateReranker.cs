using System.Globalization;
using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;
using Quarry.Retrieval;

namespace Quarry.Reranking;

/// <summary>
/// Re-scores the top candidates of retrieval with an <see cref="IReranker"/> and reorders them by its scores, within a
/// time budget: when the reranker's recent cost per passage says this call would run over, it is skipped before it
/// starts; when a call runs over, it is abandoned. Either way the retrieval order stands and the reason is returned.
/// </summary>
internal sealed class CandidateReranker(IReranker reranker, RerankingOptions options, TimeProvider time, ILogger<CandidateReranker> logger)
{
    // Exponentially weighted cost per passage (ms); NaN until the first call.
    private double _msPerPassage = double.NaN;
    private readonly Lock _gate = new();

    public string ModelId => reranker.ModelId;

    /// <returns>The results, the top candidates reordered with <see cref="RetrievedChunk.RerankScore"/> set, and why
    /// reranking was skipped (or null).</returns>
    public async Task<(List<RetrievedChunk> Results, string? Degraded)> RerankAsync(string query, List<RetrievedChunk> results, CancellationToken cancellationToken)
    {
        if (results.Count < 2) return (results, null);
        var count = Math.Min(options.Candidates, results.Count);
        var budget = options.TimeBudget;
        var expected = Expected(count);
        if (expected > budget.TotalMilliseconds)
            return Skip(results, string.Create(CultureInfo.InvariantCulture,
                $"rerank skipped: {count} candidates would take about {expected:0} ms, over the {budget.TotalMilliseconds:0} ms budget"));

        using var stage = QuarryTelemetry.StartStage("retrieval.rerank");
        stage.Activity?.SetTag("quarry.rerank.candidates", count);
        stage.Activity?.SetTag("quarry.rerank.model", reranker.ModelId);
        using var timeout = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        IReadOnlyList<float> scores;
        try
        {
            scores = await reranker.ScoreAsync(query, [.. results.Take(count).Select(Passage)], linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Observe(Math.Max(time.GetElapsedTime(started).TotalMilliseconds, budget.TotalMilliseconds), count);
            return Skip(results, $"rerank skipped: {reranker.ModelId} did not finish {count} candidates within {budget.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stage.Fail(e);
            RerankingLog.Failed(logger, reranker.ModelId, e);
            return (results, $"rerank skipped: {reranker.ModelId} failed ({e.Message})");
        }
        Observe(time.GetElapsedTime(started).TotalMilliseconds, count);
        if (scores.Count != count)
            return Skip(results, $"rerank skipped: {reranker.ModelId} returned {scores.Count} scores for {count} candidates");

        var reranked = results.Take(count)
            .Select((chunk, i) => chunk with { RerankScore = scores[i] })
            .OrderByDescending(c => c.RerankScore)
            .Concat(results.Skip(count))
            .ToList();
        return (reranked, null);
    }

    /// <summary>What the reranker sees of a chunk: its title, then its text.</summary>
    private static string Passage(RetrievedChunk result) =>
        string.IsNullOrWhiteSpace(result.Chunk.Title) || result.Chunk.Text.StartsWith(result.Chunk.Title, StringComparison.Ordinal)
            ? result.Chunk.Text
            : result.Chunk.Title + "\n" + result.Chunk.Text;

    private double Expected(int count)
    {
        lock (_gate)
        {
            if (double.IsNaN(_msPerPassage)) return 0;
            var expected = _msPerPassage * count;
            // While skipping, the estimate decays, so one slow spell does not switch reranking off for good: after a
            // few skipped queries one is tried again and measured.
            if (expected > options.TimeBudget.TotalMilliseconds) _msPerPassage *= 0.8;
            return expected;
        }
    }

    private void Observe(double elapsedMs, int count)
    {
        lock (_gate)
        {
            var perPassage = elapsedMs / count;
            _msPerPassage = double.IsNaN(_msPerPassage) ? perPassage : 0.7 * _msPerPassage + 0.3 * perPassage;
        }
    }

    private (List<RetrievedChunk>, string) Skip(List<RetrievedChunk> results, string reason)
    {
        RerankingLog.Skipped(logger, reason);
        return (results, reason);
    }
}
