using Quarry.Documents;
using Quarry.Retrieval.Fusion;

namespace Quarry.Core.Tests.Retrieval;

public sealed class HybridScoreFusionTests
{
    private static HybridCandidate C(string id, double? keyword, int? keywordRank, double? chars, double? vector, int? vectorRank) =>
        new(new ChunkId(id), keyword, keywordRank, chars, vector, vectorRank);

    // keyword: a 10, b 8, c 5   n-grams: a 0.2, b 0.6, c 0.4, d 0.2   vector: b 0.9, d 0.8, a 0.4 (c not found)
    private static readonly HybridCandidate[] Candidates =
    [
        C("a", 10, 1, 0.2, 0.4, 3),
        C("b", 8, 2, 0.6, 0.9, 1),
        C("c", 5, 3, 0.4, null, null),
        C("d", null, null, 0.2, 0.8, 2),
    ];

    [Fact]
    public void Scores_by_hand()
    {
        // keyword ÷ top: a 1, b 0.8, c 0.5, d 0   n-grams min-max: a 0, b 1, c 0.5, d 0   vector min-max: a 0, b 1, c 0, d 0.8
        // 0.6·(0.7·kw + 0.3·ng) + 0.4·vec
        var scores = HybridScoreFusion.Score(Candidates, new HybridWeights(0.6, 0.4, 0.3));

        scores[0].Should().BeApproximately(0.6 * 0.7, 1e-12);
        scores[1].Should().BeApproximately(0.6 * (0.7 * 0.8 + 0.3) + 0.4, 1e-12);
        scores[2].Should().BeApproximately(0.6 * (0.7 * 0.5 + 0.3 * 0.5), 1e-12);
        scores[3].Should().BeApproximately(0.4 * 0.8, 1e-12);
    }

    [Fact]
    public void Without_vector_weight_it_is_the_keyword_side_alone()
    {
        var ranked = HybridScoreFusion.Rank(Candidates, new HybridWeights(1, 0, 0));

        ranked.Select(r => r.Candidate.ChunkId.Value).Should().Equal("a", "b", "c", "d");
        ranked.Select(r => r.Score).Should().Equal(1, 0.8, 0.5, 0);
    }

    [Fact]
    public void A_weak_dense_signal_breaks_near_ties_but_does_not_overturn_a_confident_keyword_ranking()
    {
        // The keyword search is sure of x (10 vs 2); the dense search mildly prefers y. RRF with equal weights would tie
        // them and order by chance; weighted normalized scores keep x.
        HybridCandidate[] confident = [C("x", 10, 1, null, 0.50, 2), C("y", 2, 2, null, 0.55, 1)];
        HybridScoreFusion.Rank(confident, new HybridWeights(0.7, 0.3, 0))[0].Candidate.ChunkId.Value.Should().Be("x");

        // Near-tie on keywords (10 vs 9.8): the dense preference decides.
        HybridCandidate[] close = [C("x", 10, 1, null, 0.50, 2), C("y", 9.8, 2, null, 0.55, 1)];
        HybridScoreFusion.Rank(close, new HybridWeights(0.7, 0.3, 0))[0].Candidate.ChunkId.Value.Should().Be("y");
    }

    [Fact]
    public void Equal_positive_scores_are_all_as_good_as_the_best_and_ties_go_to_the_better_keyword_rank_then_chunk_id()
    {
        HybridCandidate[] flat = [C("q", 3, 2, 0.5, 0.7, 1), C("p", 3, 1, 0.5, 0.7, 2), C("r", null, null, 0.5, 0.7, 3), C("s", 1, 3, 0, null, null)];

        var ranked = HybridScoreFusion.Rank(flat, new HybridWeights(0.7, 0.3, 0.3));

        ranked.Select(r => r.Candidate.ChunkId.Value).Should().Equal("p", "q", "r", "s");
        ranked[0].Score.Should().BeApproximately(1.0, 1e-12);
        ranked[2].Score.Should().BeApproximately(0.7 * 0.3 + 0.3, 1e-12);

        HybridCandidate[] dissimilar = [C("a", 2, 1, 0, 0, 1), C("b", 1, 2, 0, 0, 2)];
        var scores = HybridScoreFusion.Score(dissimilar, new HybridWeights(0.7, 0.3, 0.3));
        scores[0].Should().BeApproximately(0.7 * 0.7, 1e-12, "no similarity at all adds nothing");
        scores[1].Should().BeApproximately(0.7 * 0.7 * 0.5, 1e-12);
    }

    [Fact]
    public void No_candidates_and_invalid_weights()
    {
        HybridScoreFusion.Score([], new HybridWeights(0.7, 0.3, 0.3)).Should().BeEmpty();
        var act = () => HybridScoreFusion.Score(Candidates, new HybridWeights(-1, 0.3, 0.3));
        act.Should().Throw<ArgumentOutOfRangeException>();
        act = () => HybridScoreFusion.Score(Candidates, new HybridWeights(0.7, 0.3, 1.5));
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
