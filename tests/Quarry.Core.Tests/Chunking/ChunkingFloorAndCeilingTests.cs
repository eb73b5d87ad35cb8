using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Chunking;

/// <summary>The chunker's floor (tiny sections merge), ceiling (a document's chunk count is bounded) and its cut of
/// runs the tokenizer barely counts.</summary>
public class ChunkingFloorAndCeilingTests
{
    private static readonly ITokenCounter Tokens = BertWordPieceTokenizer.Default;

    private static StructureAwareChunker Chunker(int minTokens = 32, int maxChunks = 20_000, int maxTokens = 512) =>
        new(Options.Create(new ChunkingOptions { MaxTokens = maxTokens, MinTokens = minTokens, MaxChunksPerDocument = maxChunks }), Tokens);

    [Fact]
    public void Tiny_sections_merge_with_their_neighbours_under_the_trail_they_share()
    {
        var document = new DocumentBuilder()
            .AddHeading("Guide", 1)
            .AddHeading("Install", 2).AddParagraph("Run the installer.")
            .AddHeading("Upgrade", 2).AddParagraph("Run it again.")
            .Build();

        var chunks = Chunker().Chunk(document);

        chunks.Should().ContainSingle();
        chunks[0].Text.Should().Be("# Guide\n\n## Install\n\nRun the installer.\n\n## Upgrade\n\nRun it again.");
        chunks[0].Section.Should().Equal("Guide");
        ChunkInvariants.Check(document, chunks, Tokens, 512, merged: true);
    }

    [Fact]
    public void Fifty_thousand_headings_become_a_few_hundred_chunks_not_fifty_thousand()
    {
        var builder = new DocumentBuilder();
        for (var i = 0; i < 50_000; i++) builder.AddHeading("Heading " + i, 1);
        var document = builder.Build();

        var chunks = Chunker().Chunk(document);

        chunks.Count.Should().BeLessThan(2_000);
        chunks.Should().OnlyContain(c => c.TokenCount <= 512);
        ChunkInvariants.Check(document, chunks, Tokens, 512, merged: true);
    }

    [Fact]
    public void Sections_at_or_over_the_floor_stay_apart()
    {
        var body = string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 5));
        var document = new DocumentBuilder().AddHeading("A", 1).AddParagraph(body).AddHeading("B", 1).AddParagraph(body).Build();

        var chunks = Chunker().Chunk(document);

        chunks.Select(c => c.Section.Single()).Should().Equal("A", "B");
    }

    [Fact]
    public void A_huge_run_without_token_boundaries_is_cut_into_bounded_chunks()
    {
        var run = new string('a', 1_000_000);
        var document = new DocumentBuilder().AddParagraph(run).Build();

        var chunks = Chunker().Chunk(document);

        chunks.Count.Should().BeGreaterThan(100);
        chunks.Should().OnlyContain(c => c.Text.Length <= 512 * 16 && c.TokenCount <= 512);
        string.Concat(chunks.Select(c => c.Text)).Should().Be(run);
    }

    [Fact]
    public void A_document_over_the_chunk_ceiling_is_rejected_as_too_large()
    {
        var document = new DocumentBuilder().AddParagraph(string.Join(' ', Enumerable.Repeat("word", 50_000))).Build();

        var chunk = () => Chunker(maxChunks: 10).Chunk(document);

        chunk.Should().Throw<DocumentRejectedException>().Which.Reason.Should().Be(RejectionReason.TooLarge);
        Chunker(maxChunks: 1_000).Chunk(document).Count.Should().BeGreaterThan(10);
    }
}
