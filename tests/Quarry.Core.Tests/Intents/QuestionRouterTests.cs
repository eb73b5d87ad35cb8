using Quarry.Intents;

namespace Quarry.Core.Tests.Intents;

public sealed class QuestionRouterTests
{
    [Theory]
    [InlineData("hello", "chitchat", "")]
    [InlineData("Thanks so much!", "chitchat", "")]
    [InlineData("who are you?", "chitchat", "")]
    [InlineData("Summarize the travel policy", "summary", "the travel policy")]
    [InlineData("Can you give me a short overview of the onboarding guide?", "summary", "the onboarding guide")]
    [InlineData("tl;dr of the incident report", "summary", "the incident report")]
    [InlineData("summarize the knowledge base", "summary", "")]
    [InlineData("Please summarise all the documents.", "summary", "")]
    [InlineData("How are taxis refunded?", "qa", "")]
    [InlineData("hello, how do I reset my password?", "qa", "")]
    [InlineData("What does the summary section of the report say?", "qa", "")]
    [InlineData("Who are you supposed to call after an incident?", "qa", "")]
    public void Routes_follow_the_wording(string question, string route, string subject)
    {
        var routed = QuestionRouter.Classify(question);

        routed.Route.Should().Be(route);
        routed.Subject.Should().Be(subject);
    }

    [Fact]
    public void Spreading_keeps_the_first_and_last_and_is_even()
    {
        SummaryEvidence.Spread(Enumerable.Range(0, 10).ToList(), 4).Should().Equal(0, 3, 6, 9);
        SummaryEvidence.Spread(Enumerable.Range(0, 3).ToList(), 4).Should().Equal(0, 1, 2);
    }
}
