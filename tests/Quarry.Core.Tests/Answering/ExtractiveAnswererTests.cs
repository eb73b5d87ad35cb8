using Quarry.Answering;

namespace Quarry.Core.Tests.Answering;

public sealed class ExtractiveAnswererTests
{
    private const string SuperBowl =
        "The American Football Conference (AFC) champion Denver Broncos defeated the National Football Conference (NFC) champion " +
        "Carolina Panthers 24–10 in Super Bowl 50. Super Bowl 50 was an American football game. The game was played on February 7, 2016, " +
        "at Levi's Stadium in Santa Clara, California. Super Bowl 50 was the fiftieth Super Bowl.";

    [Fact]
    public void Quotes_the_sentence_that_answers_reading_the_sentence_before_it_as_context()
    {
        var evidence = EvidenceFixture.Documents(SuperBowl);

        var answer = EvidenceFixture.Answerer().Answer("Where was Super Bowl 50 played?", evidence);

        answer.Abstained.Should().BeFalse();
        answer.Text.Should().Contain("The game was played on February 7, 2016").And.EndWith("[1]");
        answer.Citations.Should().Contain(c => c.Quote.Contains("Levi's Stadium"));
        answer.Citations.Should().OnlyContain(c => c.N == 1 && c.Quote == SuperBowl.Substring(c.Start, c.End - c.Start));
    }

    [Fact]
    public void Citations_point_into_the_document_even_when_the_chunk_starts_mid_document()
    {
        var document = "Preface text that is not evidence. " + SuperBowl;
        var start = document.IndexOf("The American", StringComparison.Ordinal);
        var evidence = new[] { new SuppliedEvidence(1, EvidenceFixture.Chunk(document, start, document.Length), 1) };

        var citation = EvidenceFixture.Answerer().Answer("Who defeated the Carolina Panthers?", evidence).Citations.Single();

        document[citation.Start..citation.End].Should().Be(citation.Quote);
        citation.Quote.Should().Contain("Denver Broncos defeated");
    }

    [Fact]
    public void A_how_many_question_prefers_the_sentence_with_a_number()
    {
        var evidence = EvidenceFixture.Documents(
            "The refund policy covers every customer. Customers get a refund within 14 days of a return. The refund policy was written by the legal team.");

        var answer = EvidenceFixture.Answerer(o => o.MaxSentences = 1).Answer("How many days does a customer refund take?", evidence);

        answer.Citations.Single().Quote.Should().Contain("14 days");
    }

    [Fact]
    public void Abstains_when_the_evidence_is_about_something_else()
    {
        var evidence = EvidenceFixture.Documents("Cats sleep most of the day. Dogs like long walks in the park.");

        var answer = EvidenceFixture.Answerer().Answer("Which team won the football championship in 2016?", evidence);

        answer.Abstained.Should().BeTrue();
        answer.Citations.Should().BeEmpty();
        answer.Text.Should().Be("Not found in the knowledge base.");
        answer.AbstentionReason.Should().Contain("question's terms");
    }

    [Fact]
    public void Abstains_without_evidence_and_for_questions_with_no_words_to_match()
    {
        EvidenceFixture.Answerer().Answer("What is the refund policy?", []).Abstained.Should().BeTrue();
        EvidenceFixture.Answerer().Answer("What is it?", EvidenceFixture.Documents(SuperBowl)).Abstained.Should().BeTrue();
    }

    [Fact]
    public void A_second_sentence_is_added_only_when_it_answers_another_part_of_the_question()
    {
        var evidence = EvidenceFixture.Documents(
            "Refunds are paid to the original card. Refunds take five business days.",
            "Exchanges are free for members.");

        var answer = EvidenceFixture.Answerer().Answer("How are refunds paid and how long do refunds take?", evidence);

        answer.Citations.Should().HaveCount(2);
        answer.Text.Should().Be("Refunds are paid to the original card. [1] Refunds take five business days. [1]");
    }

    [Fact]
    public void A_sentence_that_introduces_code_is_quoted_with_the_code()
    {
        const string doc = "## Query parameters\n\nDeclare a query parameter with a default value like this:\n\n```Python\nasync def read(q: str = \"x\"):\n    return q\n```\n\nMore text.";
        var evidence = EvidenceFixture.Documents(doc);

        var answer = EvidenceFixture.Answerer().Answer("How do I declare a query parameter with a default value?", evidence);

        answer.Text.Should().Contain("```Python\nasync def read");
        var citation = answer.Citations.Single();
        citation.Quote.Should().StartWith("Declare a query parameter").And.EndWith("```");
        doc[citation.Start..citation.End].Should().Be(citation.Quote);
    }
}
