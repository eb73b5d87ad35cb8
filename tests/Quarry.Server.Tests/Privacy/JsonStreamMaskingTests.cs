using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Privacy;
using Quarry.Server.Privacy;

namespace Quarry.Server.Tests.Privacy;

/// <summary>The one-pass masking of JSON responses masks exactly what the document-tree masking does, and the
/// memo of masked strings gives what masking again would.</summary>
public sealed class JsonStreamMaskingTests
{
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");

    private const string Response = """
        {"query":"mail jane.doe@example.com","mode":"keyword","degraded":null,"results":[
          {"rank":1,"score":0.5,"chunkId":"chk_1","documentId":"doc_1","title":"Call +1 415 555 0132","section":["Refunds","jane.doe@example.com"],
           "sourceUri":"file:///a","keywordRank":1,"vectorRank":null,"start":0,"end":12,"text":"card 4111 1111 1111 1111, é ünïcode <b>&</b>",
           "highlights":[[0,4],[5,9]],"tags":{"owner":"jane.doe@example.com","id":"jane.doe@example.com"},"empty":"","ok":true,"no":false}],
         "id":["jane.doe@example.com"],"nested":[["jane.doe@example.com",{"type":"jane.doe@example.com","x":"jane.doe@example.com"}]],
         "cache":{"layer":"none","key":"+1 415 555 0132"}}
        """;

    [Theory]
    [InlineData(MaskStyle.Label)]
    [InlineData(MaskStyle.Pseudonym)]
    public void Masks_the_same_strings_as_the_document_tree(MaskStyle style)
    {
        var masker = Masker(style);
        var tree = JsonNode.Parse(Response);
        JsonMasking.Mask(tree, masker, Acme);

        var output = new ArrayBufferWriter<byte>();
        JsonStreamMasking.Mask(Encoding.UTF8.GetBytes(Response), output, text => masker.Mask(text, Acme));
        var streamed = JsonNode.Parse(output.WrittenSpan);

        JsonNode.DeepEquals(streamed, tree).Should().BeTrue($"{streamed!.ToJsonString()} vs {tree!.ToJsonString()}");
        Encoding.UTF8.GetString(output.WrittenSpan).Should().Contain("\"x\":\"[EMAIL").And.Contain("é ünïcode <b>&</b>",
            "written as the server writes JSON, without escaping non-ASCII text");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"a\":\"b\"")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("not json")]
    public void Rejects_what_is_not_one_json_value(string body)
    {
        var act = () => JsonStreamMasking.Mask(Encoding.UTF8.GetBytes(body), new ArrayBufferWriter<byte>(), t => t);
        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void A_top_level_string_passes_as_the_tree_leaves_it()
    {
        var output = new ArrayBufferWriter<byte>();
        JsonStreamMasking.Mask("\"jane.doe@example.com\""u8, output, _ => "masked");
        Encoding.UTF8.GetString(output.WrittenSpan).Should().Be("\"jane.doe@example.com\"");
    }

    [Fact]
    public void The_memo_gives_what_masking_again_gives_per_tenant()
    {
        var masker = Masker(MaskStyle.Pseudonym);
        var memo = new MaskMemo(masker);
        const string Text = "Refunds by jane.doe@example.com within five days.";
        var first = memo.Mask(Text, Acme);
        first.Should().Be(masker.Mask(Text, Acme)).And.NotContain("jane.doe");
        memo.Mask(Text, Acme).Should().BeSameAs(first, "the second time it is remembered");
        memo.Mask(Text, Globex).Should().Be(masker.Mask(Text, Globex)).And.NotBe(first, "pseudonyms differ across tenants");
    }

    private static PrivacyMasker Masker(MaskStyle style)
    {
        var services = new ServiceCollection();
        services.AddQuarryPrivacy(Path.GetTempPath(), o =>
        {
            o.Style = style;
            o.PseudonymKey = "a-test-pseudonym-key-of-32-characters!!";
        });
        return services.BuildServiceProvider().GetRequiredService<PrivacyMasker>();
    }
}
