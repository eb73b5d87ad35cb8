using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Privacy;

namespace Quarry.Core.Tests.Privacy;

public sealed class MaskingTests
{
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");
    private const string Text = "Write to jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, order ORD-12345678.";

    [Fact]
    public void Each_style_replaces_every_value_and_keeps_the_rest()
    {
        TestMasker.Create().Mask(Text, Acme).Should().Be(
            "Write to [EMAIL] or call [PHONE]; card [CARD], IBAN [IBAN], order [ORDER].");
        TestMasker.Create(MaskStyle.Partial).Mask(Text, Acme).Should().Be(
            "Write to j***@example.com or call +** ** **** **58; card **** **** **** 1111, IBAN DE** **** **** **** **30 00, order O***********.");
    }

    [Fact]
    public void Pseudonyms_are_stable_within_a_tenant_and_differ_across_tenants()
    {
        var masker = TestMasker.Create(MaskStyle.Pseudonym);
        var first = masker.Mask("jane.doe@example.com", Acme);
        first.Should().MatchRegex(@"^\[EMAIL_[0-9a-f]{8}\]$");
        masker.Mask("Mail JANE.DOE@example.com today", Acme).Should().Contain(first, "the same address, however written, gets the same pseudonym");
        masker.Mask("jane.doe@example.com", Globex).Should().NotBe(first);
        masker.Mask("john@example.com", Acme).Should().NotBe(first);
    }

    [Fact]
    public void A_masked_document_keeps_every_block_on_its_own_text()
    {
        var text = "# Contact jane.doe@example.com\n\nCall +1 415 555 0132 today.\n\nNothing private here.";
        Block Of(BlockKind kind, string part, int level = 0) => new(kind, new TextSpan(text.IndexOf(part, StringComparison.Ordinal), text.IndexOf(part, StringComparison.Ordinal) + part.Length), level);
        var blocks = new List<Block>
        {
            Of(BlockKind.Heading, "# Contact jane.doe@example.com", 1),
            Of(BlockKind.Paragraph, "Call +1 415 555 0132 today."),
            Of(BlockKind.Paragraph, "Nothing private here."),
        };
        var document = new ParsedDocument("Notes for jane.doe@example.com", text, blocks);

        var masked = TestMasker.Create().MaskDocument(document, Acme);

        masked.Title.Should().Be("Notes for [EMAIL]");
        masked.Blocks.Select(masked.TextOf).Should().Equal("# Contact [EMAIL]", "Call [PHONE] today.", "Nothing private here.");
    }

    [Fact]
    public void A_stream_split_anywhere_is_masked_like_the_whole_text_and_never_leaks_a_value()
    {
        var masker = TestMasker.Create();
        var whole = string.Join(" ", Enumerable.Repeat(Text, 4));
        var expected = masker.Mask(whole, Acme);
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var stream = masker.Stream(Acme);
            var emitted = new List<string>();
            for (var at = 0; at < whole.Length;)
            {
                var size = Math.Min(whole.Length - at, random.Next(1, 12));
                emitted.Add(stream.Push(whole.Substring(at, size)));
                at += size;
            }
            emitted.Add(stream.Flush());
            string.Concat(emitted).Should().Be(expected);
            emitted.Should().NotContain(piece => piece.Contains("example.com", StringComparison.Ordinal) || piece.Contains("7946", StringComparison.Ordinal) || piece.Contains("1111", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Policies_resolve_knowledge_base_then_tenant_then_default()
    {
        var options = new PrivacyOptions { Mode = PrivacyMode.Off };
        options.Tenants["acme"] = new TenantPrivacy { Mode = PrivacyMode.MaskOutput };
        options.Tenants["acme"].KnowledgeBases["hr"] = new KnowledgeBasePrivacy { Mode = PrivacyMode.MaskStored };
        options.Tenants["globex"] = new TenantPrivacy();
        options.Tenants["globex"].KnowledgeBases["legal"] = new KnowledgeBasePrivacy { Mode = PrivacyMode.MaskOutput };

        options.ModeFor("acme", "hr").Should().Be(PrivacyMode.MaskStored);
        options.ModeFor("acme", "wiki").Should().Be(PrivacyMode.MaskOutput);
        options.ModeFor("initech", null).Should().Be(PrivacyMode.Off);
        options.MasksOutput("initech").Should().BeFalse();
        options.MasksOutput("globex").Should().BeTrue("one of its knowledge bases masks, and a response may mix them");
    }
}
