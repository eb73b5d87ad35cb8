using Quarry.Documents;
using Quarry.Retrieval.Fusion;

namespace Quarry.Core.Tests.Retrieval;

public sealed class FusionTests
{
    private static ScoredChunk Hit(string chunk, double score, string document = "d") => new(new ChunkId(chunk), new DocumentId(document), score);

    // bm25:   a 10, b 8, c 5      vector: b 0.9, d 0.8, a 0.4
    private static readonly FusionList Bm25 = new("bm25", [Hit("a", 10), Hit("b", 8), Hit("c", 5)]);
    private static readonly FusionList Vector = new("vector", [Hit("b", 0.9), Hit("d", 0.8), Hit("a", 0.4)]);

    [Fact]
    public void Reciprocal_rank_fusion_by_hand()
    {
        // k = 60:  b = 1/62 + 1/61 = 0.0161290 + 0.0163934 = 0.0325224
        //          a = 1/61 + 1/63 = 0.0163934 + 0.0158730 = 0.0322664
        //          d = 1/62 = 0.0161290,  c = 1/63 = 0.0158730
        var fused = ReciprocalRankFusion.Fuse([Bm25, Vector]);
        fused.Select(h => h.ChunkId.Value).Should().Equal("b", "a", "d", "c");
        fused[0].Score.Should().BeApproximately(1.0 / 62 + 1.0 / 61, 1e-12);
        fused[1].Score.Should().BeApproximately(1.0 / 61 + 1.0 / 63, 1e-12);
        fused[2].Score.Should().BeApproximately(1.0 / 62, 1e-12);
        fused[3].Score.Should().BeApproximately(1.0 / 63, 1e-12);

        fused[2].Components.Should().Equal(
            new ComponentScore("bm25", null, null, 0),
            new ComponentScore("vector", 2, 0.8, 1.0 / 62));
        fused[0].Components[0].Should().Be(new ComponentScore("bm25", 2, 8, 1.0 / 62));
    }

    [Fact]
    public void Reciprocal_rank_fusion_with_weights_and_custom_k()
    {
        // k = 0, bm25 weight 2:  a = 2/1 + 1/3 = 2.3333,  b = 2/2 + 1/1 = 2.0,  c = 2/3 = 0.6667,  d = 1/2 = 0.5
        var fused = ReciprocalRankFusion.Fuse([Bm25 with { Weight = 2 }, Vector], k: 0, limit: 3);
        fused.Select(h => (h.ChunkId.Value, Math.Round(h.Score, 4))).Should().Equal(("a", 2.3333), ("b", 2.0), ("c", 0.6667));
    }

    [Fact]
    public void Normalized_score_fusion_divide_by_max_by_hand()
    {
        // bm25 / 10: a 1.0, b 0.8, c 0.5     vector / 0.9: b 1.0, d 0.8889, a 0.4444
        // weights bm25 0.5, vector 1:  b = 0.4 + 1.0 = 1.4,  a = 0.5 + 0.4444 = 0.9444,  d = 0.8889,  c = 0.25
        var fused = NormalizedScoreFusion.Fuse([Bm25 with { Weight = 0.5 }, Vector], ScoreNormalization.DivideByMax);
        fused.Select(h => h.ChunkId.Value).Should().Equal("b", "a", "d", "c");
        fused[0].Score.Should().BeApproximately(1.4, 1e-12);
        fused[1].Score.Should().BeApproximately(0.5 + 0.4 / 0.9, 1e-12);
        fused[2].Score.Should().BeApproximately(0.8 / 0.9, 1e-12);
        fused[3].Score.Should().BeApproximately(0.25, 1e-12);
    }

    [Fact]
    public void Normalized_score_fusion_min_max_by_hand()
    {
        // bm25 (s − 5) / 5: a 1, b 0.6, c 0     vector (s − 0.4) / 0.5: b 1, d 0.8, a 0
        // sum: b 1.6, a 1.0, d 0.8, c 0
        var fused = NormalizedScoreFusion.Fuse([Bm25, Vector], ScoreNormalization.MinMax);
        fused.Select(h => (h.ChunkId.Value, Math.Round(h.Score, 10))).Should().Equal(("b", 1.6), ("a", 1.0), ("d", 0.8), ("c", 0.0));
        NormalizedScoreFusion.Fuse([new FusionList("flat", [Hit("x", 3), Hit("y", 3)])], ScoreNormalization.MinMax)
            .Should().OnlyContain(h => h.Score == 1);
        NormalizedScoreFusion.Fuse([new FusionList("zero", [Hit("x", 0)])], ScoreNormalization.DivideByMax)
            .Single().Score.Should().Be(0);
    }

    [Fact]
    public void Duplicates_are_merged_by_chunk_id_and_counted_once_per_list()
    {
        // "a" twice in one list (unsorted input): only its best position counts, and ranks follow score order.
        var messy = new FusionList("messy", [Hit("b", 1), Hit("a", 3), Hit("a", 2)]);
        var fused = ReciprocalRankFusion.Fuse([messy, new FusionList("other", [Hit("a", 1, "d2")])], k: 60);
        fused.Should().HaveCount(2);
        var a = fused.Single(h => h.ChunkId.Value == "a");
        a.Components[0].Should().Be(new ComponentScore("messy", 1, 3, 1.0 / 61));
        a.Score.Should().BeApproximately(2.0 / 61, 1e-12);
        fused.Single(h => h.ChunkId.Value == "b").Components[0].Rank.Should().Be(2);
    }

    [Fact]
    public void Empty_lists_and_ties_are_deterministic()
    {
        ReciprocalRankFusion.Fuse([]).Should().BeEmpty();
        ReciprocalRankFusion.Fuse([new FusionList("none", [])]).Should().BeEmpty();
        // x and y tie on score and on best rank: ordinal chunk id decides.
        var fused = ReciprocalRankFusion.Fuse([new FusionList("l1", [Hit("y", 1)]), new FusionList("l2", [Hit("x", 1)])]);
        fused.Select(h => h.ChunkId.Value).Should().Equal("x", "y");
        var negativeWeight = () => ReciprocalRankFusion.Fuse([Bm25 with { Weight = -1 }]);
        negativeWeight.Should().Throw<ArgumentOutOfRangeException>();
    }
}
