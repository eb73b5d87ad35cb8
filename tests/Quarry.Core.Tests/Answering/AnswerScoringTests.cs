using Quarry.Evaluation;

namespace Quarry.Core.Tests.Answering;

public sealed class AnswerScoringTests
{
    [Fact]
    public void F1_follows_the_squad_definition()
    {
        // "denver broncos defeated carolina" vs "denver broncos": 2 common, precision 2/4, recall 2/2 → F1 = 2/3.
        AnswerScoring.F1("The Denver Broncos defeated Carolina.", ["Denver Broncos"]).Should().BeApproximately(2.0 / 3, 1e-9);
        AnswerScoring.F1("Santa Clara", ["Levi's Stadium", "Santa Clara, California"]).Should().BeApproximately(0.8, 1e-9);
        AnswerScoring.F1("nothing relevant", ["gold"]).Should().Be(0);
    }

    [Fact]
    public void Contains_compares_normalized_whole_words()
    {
        AnswerScoring.ContainsAny("It was played at Levi's Stadium, in 2016.", ["levis stadium", "Levi's Stadium"]).Should().BeTrue();
        AnswerScoring.ContainsAny("The golden anniversary", ["\"golden anniversary"]).Should().BeTrue();
        AnswerScoring.ContainsAny("goldfish", ["gold"]).Should().BeFalse();
    }
}
