using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Reranking;
using Quarry.Retrieval;

namespace Quarry.Core.Tests.Reranking;

public class CandidateRerankerTests
{
    private static List<RetrievedChunk> Results(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new RetrievedChunk(new Chunk
        {
            Id = new ChunkId($"doc{i}_v1_c0"), TenantId = TenantId.Default, KnowledgeBaseId = new KnowledgeBaseId("kb"),
            DocumentId = new DocumentId($"doc{i}"), Version = 1, Ordinal = 0, Text = $"passage number {i}", Title = $"Title {i}",
            SourceUri = $"file:///doc{i}.md", TokenCount = 3, Checksum = "x", Span = new TextSpan(0, 10),
            CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
        }, 1.0 / (i + 1), i + 1, 10 - i)),
    ];

    private static CandidateReranker Stage(IReranker reranker, int candidates = 3, double budgetMs = 2000) =>
        new(reranker, new RerankingOptions { Candidates = candidates, TimeBudget = TimeSpan.FromMilliseconds(budgetMs) }, TimeProvider.System,
            NullLogger<CandidateReranker>.Instance);

    [Fact]
    public async Task Reorders_the_top_candidates_by_score_and_keeps_the_rest_below()
    {
        // Scores by passage number: the third candidate is best, then the first, then the second.
        var reranker = new ScriptedReranker(passages => [.. passages.Select(p => p.EndsWith(" 2", StringComparison.Ordinal) ? 5f : p.EndsWith(" 0", StringComparison.Ordinal) ? 1f : -1f)]);

        var (results, degraded) = await Stage(reranker).RerankAsync("q", Results(5), CancellationToken.None);

        degraded.Should().BeNull();
        results.Select(r => r.Chunk.DocumentId.Value).Should().Equal("doc2", "doc0", "doc1", "doc3", "doc4");
        results.Take(3).Select(r => r.RerankScore).Should().Equal(5.0, 1.0, -1.0);
        results.Skip(3).Should().OnlyContain(r => r.RerankScore == null);
        reranker.Calls.Should().ContainSingle().Which.Should().Equal("Title 0\npassage number 0", "Title 1\npassage number 1", "Title 2\npassage number 2");
    }

    [Fact]
    public async Task A_rerank_that_runs_over_the_budget_is_abandoned_and_the_order_kept()
    {
        var reranker = new ScriptedReranker(_ => [], hang: true);

        var (results, degraded) = await Stage(reranker, budgetMs: 50).RerankAsync("q", Results(4), CancellationToken.None);

        results.Select(r => r.Chunk.DocumentId.Value).Should().Equal("doc0", "doc1", "doc2", "doc3");
        degraded.Should().Contain("did not finish 3 candidates within 50 ms");
    }

    [Fact]
    public async Task When_the_last_calls_say_the_budget_would_be_exceeded_the_reranker_is_not_called()
    {
        var reranker = new ScriptedReranker(_ => [], hang: true);
        var stage = Stage(reranker, budgetMs: 50);
        await stage.RerankAsync("q", Results(4), CancellationToken.None);

        var (_, degraded) = await stage.RerankAsync("q", Results(4), CancellationToken.None);

        reranker.Calls.Should().HaveCount(1);
        degraded.Should().StartWith("rerank skipped: 3 candidates would take about").And.EndWith("over the 50 ms budget");
    }

    [Fact]
    public async Task A_failing_reranker_degrades_instead_of_failing_retrieval()
    {
        var reranker = new ScriptedReranker(_ => throw new InvalidOperationException("model file vanished"));

        var (results, degraded) = await Stage(reranker).RerankAsync("q", Results(3), CancellationToken.None);

        results.Select(r => r.Chunk.DocumentId.Value).Should().Equal("doc0", "doc1", "doc2");
        degraded.Should().Be("rerank skipped: scripted failed (model file vanished)");
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_mistaken_for_the_budget()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var run = () => Stage(new ScriptedReranker(_ => [], hang: true)).RerankAsync("q", Results(3), cancelled.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
    }

    private sealed class ScriptedReranker(Func<IReadOnlyList<string>, float[]> score, bool hang = false) : IReranker
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public string ModelId => "scripted";

        public async Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
        {
            Calls.Add(passages);
            if (hang) await Task.Delay(Timeout.Infinite, cancellationToken);
            return score(passages);
        }
    }
}
