namespace Quarry.Core.Tests.Answering;

public sealed class CitationVerifierTests
{
    private static readonly string Refunds = "Refunds are paid to the original card. Refunds take five business days to arrive.";
    private static readonly string Shipping = "Standard shipping is free for orders over 50 euros. Express shipping costs 9 euros.";

    [Fact]
    public void Each_cited_sentence_is_mapped_to_the_span_that_supports_it()
    {
        var evidence = EvidenceFixture.Documents(Refunds, Shipping);

        var verified = EvidenceFixture.Verifier().Verify("Refunds take five business days [1]. Express shipping costs 9 euros [2].", evidence);

        verified.UnsupportedSentences.Should().BeEmpty();
        verified.Citations.Select(c => (c.N, c.Quote)).Should().Equal(
            (1, "Refunds take five business days to arrive."),
            (2, "Express shipping costs 9 euros."));
        verified.Citations.Should().OnlyContain(c => c.Start >= 0 && c.End > c.Start);
    }

    [Fact]
    public void A_citation_to_evidence_that_was_never_supplied_is_dropped_and_the_sentence_repointed()
    {
        var evidence = EvidenceFixture.Documents(Refunds, Shipping);

        var verified = EvidenceFixture.Verifier().Verify("Express shipping costs 9 euros [7].", evidence);

        verified.DroppedMarkers.Should().Equal(7);
        verified.Text.Should().Be("Express shipping costs 9 euros. [2]");
        verified.Citations.Should().ContainSingle().Which.N.Should().Be(2);
    }

    [Fact]
    public void A_citation_to_the_wrong_evidence_is_repaired()
    {
        var evidence = EvidenceFixture.Documents(Refunds, Shipping);

        var verified = EvidenceFixture.Verifier().Verify("Refunds are paid to the original card [2].", evidence);

        verified.Citations.Should().ContainSingle().Which.N.Should().Be(1);
        verified.Text.Should().Be("Refunds are paid to the original card. [1]");
    }

    [Fact]
    public void A_claim_no_evidence_supports_is_reported_and_not_cited()
    {
        var evidence = EvidenceFixture.Documents(Refunds, Shipping);

        var verified = EvidenceFixture.Verifier().Verify("Refunds take five business days [1]. Premium members get lifetime warranties on televisions [1].", evidence);

        verified.Citations.Should().ContainSingle().Which.Quote.Should().StartWith("Refunds take");
        verified.UnsupportedSentences.Should().Equal("Premium members get lifetime warranties on televisions.");
    }

    [Fact]
    public void Grouped_markers_and_uncited_factual_sentences_are_handled()
    {
        var evidence = EvidenceFixture.Documents(Refunds, Shipping);

        var verified = EvidenceFixture.Verifier().Verify("Standard shipping is free for orders over 50 euros [1, 2]. Refunds are paid to the original card.", evidence);

        verified.Citations.Select(c => c.N).Should().Equal(1, 2);
        verified.Text.Should().Be("Standard shipping is free for orders over 50 euros. [2] Refunds are paid to the original card. [1]");
    }
}
