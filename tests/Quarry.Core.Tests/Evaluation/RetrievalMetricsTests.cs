using Quarry.Core.Tests.TestSupport;
using Quarry.Evaluation;

namespace Quarry.Core.Tests.Evaluation;

public sealed class RetrievalMetricsTests
{
    // Judgements for q1: d1 grade 2, d2 grade 1, d3 grade 0 (judged, not relevant), d9 grade 1 (never retrieved).
    private static readonly Dictionary<string, int> Judged = new() { ["d1"] = 2, ["d2"] = 1, ["d3"] = 0, ["d9"] = 1 };
    private static readonly string[] Ranking = ["d3", "d1", "x", "d2", "d1"];

    [Fact]
    public void Ndcg_uses_graded_gains_and_the_ideal_from_all_judgements()
    {
        // DCG@5: rank 1 d3 → 0; rank 2 d1 → 2/log2(3) = 1.2618595; rank 3 x → 0; rank 4 d2 → 1/log2(5) = 0.4306766;
        //        rank 5 "d1" again is a duplicate and is dropped.                                 DCG = 1.6925361
        // IDCG@5 from the grades 2,1,1: 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
        // nDCG@5 = 1.6925361 / 3.1309298 = 0.5405855
        RetrievalMetrics.NdcgAtK(Ranking, Judged, 5).Should().BeApproximately(0.5405855, 1e-6);
        // nDCG@2: DCG = 1.2618595; IDCG = 2 + 0.6309298 = 2.6309298 → 0.4796249
        RetrievalMetrics.NdcgAtK(Ranking, Judged, 2).Should().BeApproximately(0.4796249, 1e-6);
        RetrievalMetrics.NdcgAtK(["d1", "d2", "d9"], Judged, 10).Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void Recall_and_mrr_by_hand()
    {
        // Relevant (grade > 0): d1, d2, d9 → 3. Top-2 holds d1 → 1/3; top-5 holds d1, d2 → 2/3.
        RetrievalMetrics.RecallAtK(Ranking, Judged, 2).Should().BeApproximately(1.0 / 3, 1e-12);
        RetrievalMetrics.RecallAtK(Ranking, Judged, 5).Should().BeApproximately(2.0 / 3, 1e-12);
        // First relevant document at rank 2 (d3 has grade 0) → 0.5; none in the top 1 → 0.
        RetrievalMetrics.MrrAtK(Ranking, Judged, 10).Should().Be(0.5);
        RetrievalMetrics.MrrAtK(Ranking, Judged, 1).Should().Be(0);
    }

    [Fact]
    public void Means_cover_judged_queries_only()
    {
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q1"] = Judged,
            ["q2"] = new Dictionary<string, int> { ["d5"] = 1 },
            ["q3"] = new Dictionary<string, int> { ["d6"] = 1 },
        };
        var run = new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] = Ranking,
            ["q2"] = ["d5"],
            // q3 is judged but missing from the run: it counts as 0.
            ["unjudged"] = ["d1"],
        };
        // nDCG@5 mean = (0.5405855 + 1 + 0) / 3 = 0.5135285; recall@5 = (2/3 + 1 + 0) / 3 = 0.5555556;
        // MRR@5 = (0.5 + 1 + 0) / 3 = 0.5
        var scores = RetrievalMetrics.Evaluate(run, qrels, 5);
        scores.Queries.Should().Be(3);
        scores.ExcludedQueries.Should().Be(1);
        scores.Ndcg.Should().BeApproximately(0.5135285, 1e-6);
        scores.Recall.Should().BeApproximately(0.5555556, 1e-6);
        scores.Mrr.Should().BeApproximately(0.5, 1e-12);
    }

    [Fact]
    public void Latency_percentiles_use_nearest_rank()
    {
        // 1..100 ms: p50 = sorted[⌈50⌉ − 1] = 50, p95 = 95, p99 = 99. Ten samples 1..10: p95 = sorted[⌈9.5⌉ − 1] = 10.
        var latencies = LatencyPercentiles.FromMilliseconds(Enumerable.Range(1, 100).Select(i => (double)i).Reverse());
        latencies.Should().Be(new LatencyPercentiles(100, 50.5, 50, 95, 99, 100));
        var ten = LatencyPercentiles.FromMilliseconds(Enumerable.Range(1, 10).Select(i => (double)i));
        (ten.P50, ten.P95, ten.P99).Should().Be((5.0, 10.0, 10.0));
    }

    [Fact]
    public async Task Loads_scifact_from_the_shared_folder()
    {
        // SharedData.Path fails with a message naming ../shared when the folder is absent (xunit 2 has no runtime skip).
        var data = await BeirDataset.LoadAsync(SharedData.Path("datasets", "scifact"), cancellationToken: CancellationToken.None);
        data.Corpus.Should().HaveCount(5183);
        data.Queries.Should().HaveCount(300);
        data.JudgementCount.Should().Be(339);
        data.Corpus.Select(d => d.Id).Should().OnlyHaveUniqueItems();
        data.Corpus.Should().OnlyContain(d => d.Text.Length > 0);
        var judgedQueries = data.Queries.Count(q => data.Qrels.ContainsKey(q.Id));

        // An oracle run (the judged documents, best grade first) scores 1 on every judged query; a query without
        // judgements added to the run is left out of the means.
        var run = data.Queries.ToDictionary(q => q.Id, q => (IReadOnlyList<string>)(data.Qrels.TryGetValue(q.Id, out var j)
            ? j.OrderByDescending(x => x.Value).Select(x => x.Key).ToArray() : []));
        run["no-judgements"] = [data.Corpus[0].Id];
        var scores = RetrievalMetrics.Evaluate(run, data.Qrels, 10);
        scores.Queries.Should().Be(judgedQueries).And.Be(data.Qrels.Count);
        scores.ExcludedQueries.Should().Be(1);
        scores.Ndcg.Should().BeApproximately(1.0, 1e-12);
        scores.Recall.Should().BeApproximately(1.0, 1e-12);
    }
}
