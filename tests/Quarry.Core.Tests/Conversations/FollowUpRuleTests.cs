using Quarry.Conversations;

namespace Quarry.Core.Tests.Conversations;

public sealed class FollowUpRuleTests
{
    [Theory]
    [InlineData("Who founded it?", "When was the University of Notre Dame founded?", "Who founded it? University Notre Dame")]
    [InlineData("What about its timeout?", "How do I configure the FastAPI request limit?", "What about its timeout? FastAPI configure request limit")]
    [InlineData("And in 1990?", "What was the population of Warsaw in 1980?", "And in 1990? Warsaw population 1980")]
    public void A_follow_up_carries_the_previous_questions_entities_then_content_words(string question, string previous, string expected) =>
        FollowUpRule.Rewrite(question, [previous]).Should().Be(expected);

    [Theory]
    [InlineData("What is the capital of France?")]
    [InlineData("How many students attend Notre Dame university each year?")]
    public void A_question_that_stands_alone_is_left_as_asked(string question) =>
        FollowUpRule.Rewrite(question, ["When was the University of Notre Dame founded?"]).Should().BeNull();

    [Theory]
    [InlineData("Why?")]
    [InlineData("How long exactly?")]
    public void A_short_question_without_a_subject_is_elliptical(string question) =>
        FollowUpRule.IsFollowUp(question).Should().BeTrue();

    [Fact]
    public void Without_history_nothing_is_rewritten() =>
        FollowUpRule.Rewrite("Who founded it?", []).Should().BeNull();

    [Fact]
    public void When_the_previous_question_was_a_follow_up_too_the_one_before_still_lends_its_subject() =>
        FollowUpRule.Rewrite("And its budget?", ["When did the Apollo program start?", "Who led it?"])
            .Should().Be("And its budget? led Apollo program start");

    [Fact]
    public void Terms_the_follow_up_already_has_are_not_repeated() =>
        FollowUpRule.Rewrite("When was its bridge built?", ["Where is the Zephyr bridge?"]).Should().Be("When was its bridge built? Zephyr");
}
