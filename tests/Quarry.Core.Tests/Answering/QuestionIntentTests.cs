using Quarry.Answering;
using Quarry.Generation;

namespace Quarry.Core.Tests.Answering;

public sealed class QuestionIntentTests
{
    [Theory]
    [InlineData("What is FastAPI?", "fastapi")]
    [InlineData("what are environment variables", "environ variabl")]
    [InlineData("What does the FastAPI CLI do?", "fastapi cli")]
    [InlineData("What's a middleware?", "middlewar")]
    public void Reads_the_subject_of_a_definitional_question(string question, string stems)
    {
        QuestionIntent.Parse(question).Subject.Should().BeEquivalentTo(stems.Split(' '));
    }

    [Theory]
    [InlineData("How do I declare OAuth2 scopes?")]
    [InlineData("Where was Super Bowl 50 played?")]
    public void Other_questions_have_no_subject(string question)
    {
        QuestionIntent.Parse(question).IsDefinition.Should().BeFalse();
    }

    [Theory]
    [InlineData("FastAPI is a modern web framework.", true)]
    [InlineData("**FastAPI** lets you build APIs.", true)]
    [InlineData("In FastAPI a scope is a string.", false)]
    [InlineData("FastAPI with scopes is used by many providers.", false)]
    [InlineData("You can deploy FastAPI apps on your own servers.", false)]
    public void A_defining_sentence_opens_with_the_subject_and_a_defining_verb(string sentence, bool defines)
    {
        QuestionIntent.Parse("What is FastAPI?").Defines(sentence).Should().Be(defines);
    }

    [Theory]
    [InlineData("How do I change the response status code?", false)]
    [InlineData("What changed in FastAPI 0.100.0?", true)]
    [InlineData("Which release added support for Pydantic v2?", true)]
    public void Only_questions_about_versions_or_changes_ask_about_changes(string question, bool changes)
    {
        QuestionIntent.Parse(question).AsksAboutChanges.Should().Be(changes);
    }

    [Fact]
    public void A_definition_from_the_document_about_the_subject_beats_a_passing_mention_ranked_higher()
    {
        const string Cloud = "You can deploy FastAPI apps on FastAPI Cloud with one command.";
        const string Intro = "FastAPI is a modern, fast web framework for building APIs with Python.";
        var evidence = new[]
        {
            new SuppliedEvidence(1, EvidenceFixture.Chunk(Cloud, 0, Cloud.Length, title: "FastAPI Cloud", doc: "doc_cloud"), 1),
            new SuppliedEvidence(2, EvidenceFixture.Chunk(Intro, 0, Intro.Length, title: "FastAPI", doc: "doc_index"), 0.5),
        };

        var answer = EvidenceFixture.Answerer(o => o.MaxSentences = 1).Answer("What is FastAPI?", evidence);

        answer.Citations.Single().Quote.Should().Be(Intro);
    }

    [Fact]
    public void Release_notes_answer_a_how_to_question_only_when_nothing_else_does_and_answer_questions_about_changes()
    {
        const string Notes = "Add support for declaring OAuth2 scopes in dependencies.";
        const string Guide = "Declare OAuth2 scopes with the scopes parameter of the security dependency.";
        var evidence = new[]
        {
            new SuppliedEvidence(1, EvidenceFixture.Chunk(Notes, 0, Notes.Length, title: "Release Notes", section: ["Release Notes", "0.18.0"], doc: "doc_notes"), 1),
            new SuppliedEvidence(2, EvidenceFixture.Chunk(Guide, 0, Guide.Length, title: "OAuth2 scopes", doc: "doc_guide"), 0.5),
        };
        var answerer = EvidenceFixture.Answerer(o => o.MaxSentences = 1);

        answerer.Answer("How do I declare OAuth2 scopes?", evidence).Citations.Single().Quote.Should().Be(Guide);
        answerer.Answer("What changed for OAuth2 scopes in dependencies in 0.18.0?", evidence).Citations.Single().Quote.Should().Be(Notes);
    }
}
