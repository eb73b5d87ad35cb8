using System.IO.Compression;
using Quarry.Core.Tests.TestSupport;
using Quarry.Core.Tests.Tokenization;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class PptxParserTests
{
    [SharedDataFact]
    public async Task Slides_are_pages_with_title_headings_tables_and_speaker_notes()
    {
        var document = await ParsingTestHost.CreateSelector()
            .ParseFileAsync(SharedData.Path("datasets", "parser-testdata", "pptx", "sources", "powerpoint_sample.pptx"));

        document.PageCount.Should().Be(3);
        var headings = document.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (document.TextOf(b), b.Page)).ToList();
        headings.Should().StartWith([("# Test Table Slide", 1), ("# Second slide title", 2)]);
        var table = document.Blocks.First(b => b.Kind == BlockKind.Table);
        table.Page.Should().Be(1);
        document.TextOf(table).Should().Contain("| A merged with B | A merged with B |");
        var notes = document.Blocks.Single(b => b.Kind == BlockKind.Quote && document.TextOf(b).Contains("second slide", StringComparison.Ordinal));
        document.TextOf(notes).Should().Be("> Notes: Some notes on the second slide.");
        notes.Page.Should().Be(2);
        document.Blocks.Should().Contain(b => b.Kind == BlockKind.ListItem && document.TextOf(b) == "- With foo" && b.Page == 2);
    }

    [Fact]
    public async Task A_zip_bomb_named_pptx_is_rejected_before_inflating()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = zip.CreateEntry("ppt/slides/slide1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 8; i++) await entry.WriteAsync(zeros);
        }
        var selector = ParsingTestHost.CreateSelector(o => o.MaxUncompressedBytes = 4 * 1024 * 1024);

        var act = () => selector.ParseBytesAsync(buffer.ToArray(), "deck.pptx");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Fact]
    public async Task A_zip_that_is_not_a_presentation_is_corrupt()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var writer = new StreamWriter(zip.CreateEntry("hello.txt").Open());
            await writer.WriteAsync("hello");
        }

        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(buffer.ToArray(), "deck.pptx");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }
}
