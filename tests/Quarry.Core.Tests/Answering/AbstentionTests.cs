using Quarry.Answering;
using Quarry.Generation;

namespace Quarry.Core.Tests.Answering;

/// <summary>The abstention figures that mean the same in every knowledge base, each with a threshold of its own.</summary>
public sealed class AbstentionTests
{
    private const string SuperBowl =
        "Super Bowl 50 was an American football game. The Denver Broncos defeated the Carolina Panthers 24–10 in Super Bowl 50. " +
        "The game was played on February 7, 2016, at Levi's Stadium in Santa Clara, California.";

    // A passage that shares generic words with football questions but is about something else.
    private const string Unrelated =
        "The team measured how often the game of chance was played in the study. Players won more often when the lights were on.";

    [Fact]
    public void Names_and_numbers_of_a_question_are_its_capitalized_words_past_the_first_and_its_figures()
    {
        QuestionNames.Of("Which NFL team won Super Bowl 50?").Should().BeEquivalentTo(["nfl", "super", "bowl", "50"]);
        QuestionNames.Of("What did the Normans do in 1066?").Should().BeEquivalentTo(["norman", "1066"]);
        QuestionNames.Of("where was the game played?").Should().BeEmpty();
    }

    [Fact]
    public void A_passage_without_the_question_s_names_is_not_quoted_when_names_are_required()
    {
        var evidence = EvidenceFixture.Documents(Unrelated);
        const string question = "Which team won the game played at Levi's Stadium?";

        EvidenceFixture.Answerer(Loose).Answer(question, evidence).Abstained.Should().BeFalse("the generic words alone pass the loose thresholds");
        var answer = EvidenceFixture.Answerer(o => { Loose(o); o.MinimumNameCoverage = 0.5; }).Answer(question, evidence);

        answer.Abstained.Should().BeTrue();
        answer.AbstentionReason.Should().Contain("names and numbers");
        answer.Support!.NameCoverage.Should().Be(0);
        EvidenceFixture.Answerer(o => { Loose(o); o.MinimumNameCoverage = 0.5; }).Answer(question, EvidenceFixture.Documents(SuperBowl))
            .Abstained.Should().BeFalse();
    }

    [Fact]
    public void The_quoted_sentence_must_hold_enough_of_the_question_s_words_unweighted()
    {
        var evidence = EvidenceFixture.Documents(SuperBowl);
        // "game", "played", "Levi's" and "Stadium" are in the sentence; "retractable", "roof", "built" are not.
        const string question = "Was the retractable roof of Levi's Stadium built before the game was played?";

        var loose = EvidenceFixture.Answerer(o => { Loose(o); o.MinimumSentenceTermShare = 0.4; }).Answer(question, evidence);
        var strict = EvidenceFixture.Answerer(o => { Loose(o); o.MinimumSentenceTermShare = 0.7; }).Answer(question, evidence);

        loose.Abstained.Should().BeFalse();
        loose.Support!.TermShare.Should().BeInRange(0.4, 0.7);
        strict.Abstained.Should().BeTrue();
        strict.AbstentionReason.Should().Contain("of the question's words");
    }

    [Fact]
    public void The_dense_similarity_decides_only_when_a_dense_model_ran()
    {
        const string question = "Where was Super Bowl 50 played?";
        var far = new[] { new SuppliedEvidence(1, EvidenceFixture.Chunk(SuperBowl, 0, SuperBowl.Length), 1, Similarity: 0.12) };
        var near = new[] { new SuppliedEvidence(1, EvidenceFixture.Chunk(SuperBowl, 0, SuperBowl.Length), 1, Similarity: 0.61) };
        var answerer = EvidenceFixture.Answerer(o => o.MinimumDenseSimilarity = 0.3);

        var abstained = answerer.Answer(question, far);
        abstained.Abstained.Should().BeTrue();
        abstained.AbstentionReason.Should().Contain("close in meaning").And.Contain("0.12");
        answerer.Answer(question, near).Abstained.Should().BeFalse();
        answerer.Answer(question, EvidenceFixture.Documents(SuperBowl)).Support!.DenseSimilarity.Should().BeNull();
        answerer.Answer(question, EvidenceFixture.Documents(SuperBowl)).Abstained.Should().BeFalse();
    }

    private static void Loose(ExtractiveAnswererOptions o)
    {
        o.MinimumEvidenceCoverage = 0;
        o.MinimumQuestionCoverage = 0;
        o.MinimumSentenceTermShare = 0;
        o.MinimumNameCoverage = 0;
        o.MinimumDenseSimilarity = -1;
    }
}
