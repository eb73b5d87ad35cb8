using System.Text;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class EmailParserTests
{
    internal static string Multipart(string markdownAttachment) => $"""
        From: Alice Example <alice@example.com>
        To: Bob <bob@example.com>, support@example.com
        Cc: carol@example.com
        Date: Tue, 14 Jan 2025 09:30:00 +0100
        Subject: Refund policy for enterprise customers
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="BOUNDARY"

        --BOUNDARY
        Content-Type: text/plain; charset=utf-8

        Hi Bob,

        Enterprise refunds are issued within 45 days of the invoice date.

        --BOUNDARY
        Content-Type: text/markdown; charset=utf-8
        Content-Disposition: attachment; filename="policy.md"
        Content-Transfer-Encoding: base64

        {Convert.ToBase64String(Encoding.UTF8.GetBytes(markdownAttachment), Base64FormattingOptions.InsertLineBreaks)}
        --BOUNDARY
        Content-Type: application/x-unknown
        Content-Disposition: attachment; filename="blob.bin"
        Content-Transfer-Encoding: base64

        AAECAwQ=
        --BOUNDARY--
        """.ReplaceLineEndings("\r\n");

    [Fact]
    public async Task Headers_and_body_make_the_document_and_attachments_are_handed_on_unparsed()
    {
        var eml = Multipart("# Escalations\n\nEscalate disputes over 10000 EUR to the finance desk.\n");

        var document = await ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes(eml), "refunds.eml");

        document.Title.Should().Be("Refund policy for enterprise customers");
        document.Text.Should().Contain("From: \"Alice Example\" <alice@example.com>").And.Contain("To: \"Bob\" <bob@example.com>, support@example.com")
            .And.Contain("Cc: carol@example.com").And.Contain("Date: 2025-01-14 09:30 +01:00");
        document.Text.Should().Contain("Enterprise refunds are issued within 45 days");
        document.Text.Should().Contain("## Attachments").And.Contain("- Attachment 1: policy.md").And.Contain("- Attachment 2: blob.bin");
        document.Text.Should().NotContain("finance desk", "attachments are ingested as child documents, not sections of the message");
        document.Attachments!.Select(a => (a.Number, a.FileName, a.ContentType)).Should()
            .Equal((1, "policy.md", "text/markdown"), (2, "blob.bin", "application/x-unknown"));
        Encoding.UTF8.GetString(document.Attachments![0].Content).Should().Contain("finance desk");
        document.Metadata.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["email.from"] = "alice@example.com",
            ["email.to"] = "bob@example.com,support@example.com",
            ["email.cc"] = "carol@example.com",
            ["email.date"] = "2025-01-14T08:30:00Z",
        });
    }

    [Fact]
    public async Task An_html_only_message_goes_through_the_html_parser()
    {
        var eml = """
            From: news@example.com
            Subject: Release notes
            Content-Type: text/html; charset=utf-8

            <html><body><h1>Version 2.4</h1><p>Search is <b>twice</b> as fast.</p><ul><li>Fixed login</li></ul></body></html>
            """.ReplaceLineEndings("\r\n");

        var document = await ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes(eml), "release.eml");

        document.Title.Should().Be("Release notes");
        document.Text.Should().Contain("## Version 2.4").And.Contain("Search is twice as fast.").And.Contain("- Fixed login");
        document.Text.Should().NotContain("<p>");
    }

    [Fact]
    public async Task Text_without_headers_is_not_an_email()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync("just some words\nand more\n"u8.ToArray(), "note.eml");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }
}
