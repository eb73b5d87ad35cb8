using Quarry.Core.Tests.TestSupport;
using Quarry.Evaluation;

namespace Quarry.Core.Tests.Evaluation;

public sealed class RetrievalMetricsTests
{
    // Judgements: a is grade 2, b grade 1, c judged non-relevant (0), d unjudged.
    private static readonly Dictionary<string, int> Judged = new() { ["a"] = 2, ["b"] = 1, ["c"] = 0 };

    [Fact]
    public void Ndcg_uses_graded_gains_and_a_log2_discount()
    {
        // Ranking d, b, c, a:
        //   DCG  = 0/log2(2) + 1/log2(3) + 0/log2(4) + 2/log2(5) = 0.630930 + 0.861353 = 1.492283
        //   IDCG = 2/log2(2) + 1/log2(3)                        = 2 + 0.630930         = 2.630930
        //   nDCG@10 = 0.567208
        RetrievalMetrics.Ndcg(["d", "b", "c", "a"], Judged, 10).Should().BeApproximately(0.567208, 1e-6);
        // @2 keeps only d, b: DCG = 0.630930; IDCG@2 = 2.630930 → 0.239813
        RetrievalMetrics.Ndcg(["d", "b", "c", "a"], Judged, 2).Should().BeApproximately(0.239813, 1e-6);
        RetrievalMetrics.Ndcg(["a", "b"], Judged, 10).Should().BeApproximately(1.0, 1e-12);
        RetrievalMetrics.Ndcg(["x"], new Dictionary<string, int> { ["y"] = 0 }, 10).Should().Be(0);
    }

    [Fact]
    public void Recall_counts_only_grades_above_zero()
    {
        RetrievalMetrics.Recall(["d", "b", "c"], Judged, 10).Should().Be(0.5);
        RetrievalMetrics.Recall(["d", "b", "c", "a"], Judged, 3).Should().Be(0.5);
        RetrievalMetrics.Recall(["a", "b"], Judged, 10).Should().Be(1);
    }

    [Fact]
    public void Reciprocal_rank_is_that_of_the_first_relevant_document_within_k()
    {
        RetrievalMetrics.ReciprocalRank(["d", "c", "b"], Judged, 10).Should().BeApproximately(1 / 3.0, 1e-12);
        RetrievalMetrics.ReciprocalRank(["d", "c", "b"], Judged, 2).Should().Be(0);
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        double[] samples = [15, 20, 35, 40, 50];
        RetrievalMetrics.Percentile(samples, 50).Should().Be(35);
        RetrievalMetrics.Percentile(samples, 95).Should().Be(50);
        RetrievalMetrics.Percentile(samples, 30).Should().Be(20);
        RetrievalMetrics.Percentile([], 50).Should().Be(0);
    }

    [Fact]
    public async Task Loads_scifact_in_the_beir_layout()
    {
        var dataset = await BeirDataset.LoadAsync(SharedData.Path("datasets", "scifact"), CancellationToken.None);

        dataset.Name.Should().Be("scifact");
        dataset.Queries.Should().HaveCount(300);
        dataset.Judgements.Should().HaveCount(300);
        dataset.Judgements.Sum(j => j.Value.Count).Should().Be(339);
    }

    [Fact]
    public async Task A_folder_that_is_not_a_beir_dataset_is_named_in_the_error()
    {
        var folder = Directory.CreateTempSubdirectory("not-beir-").FullName;
        try
        {
            var load = () => BeirDataset.LoadAsync(folder, CancellationToken.None);
            (await load.Should().ThrowAsync<FileNotFoundException>()).WithMessage("*corpus.jsonl is missing*");
        }
        finally
        {
            Directory.Delete(folder);
        }
    }
}
