using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Chunking;

public class StructureAwareChunkerTests
{
    // "The quick brown fox jumps over the lazy dog." is 10 WordPiece tokens: 9 whole-word entries and ".".
    private const string Sentence = "The quick brown fox jumps over the lazy dog.";
    private static readonly ITokenCounter Tokens = BertWordPieceTokenizer.Default;

    private static StructureAwareChunker Chunker(int maxTokens = 512, double overlap = 0.15) =>
        new(Options.Create(new ChunkingOptions { MaxTokens = maxTokens, Overlap = overlap, MinTokens = 0 }), Tokens);

    private static string Sentences(int count) => string.Join(' ', Enumerable.Repeat(Sentence, count));

    [Fact]
    public void Small_sections_become_one_chunk_each_with_the_heading_trail()
    {
        var document = new DocumentBuilder()
            .AddHeading("Tutorial", 1).AddParagraph("Intro.")
            .AddHeading("Security", 2).AddParagraph("About security.")
            .AddHeading("OAuth2", 3).AddParagraph("Tokens.").AddListItem("scopes").AddListItem("flows")
            .AddHeading("Deployment", 2).AddParagraph("Ship it.")
            .Build();

        var chunks = Chunker().Chunk(document);

        chunks.Select(c => c.Text).Should().Equal(
            "# Tutorial\n\nIntro.",
            "## Security\n\nAbout security.",
            "### OAuth2\n\nTokens.\n\n- scopes\n- flows",
            "## Deployment\n\nShip it.");
        chunks.Select(c => string.Join(" > ", c.Section)).Should().Equal(
            "Tutorial", "Tutorial > Security", "Tutorial > Security > OAuth2", "Tutorial > Deployment");
        ChunkInvariants.Check(document, chunks, Tokens, 512);
    }

    [Fact]
    public void A_paragraph_long_in_characters_is_counted_by_its_sentences_and_stays_whole_when_it_fits()
    {
        // Six sentences: 269 characters, over three per token of a 64-token chunk, so counted sentence by sentence;
        // 60 tokens, so still one chunk. A seventh sentence makes it too large: cut between sentences.
        var fits = new DocumentBuilder().AddParagraph(Sentences(6)).Build();
        var whole = Chunker(maxTokens: 64).Chunk(fits);
        whole.Should().ContainSingle().Which.TokenCount.Should().Be(60);
        ChunkInvariants.Check(fits, whole, Tokens, 64);

        var over = new DocumentBuilder().AddParagraph(Sentences(7)).Build();
        var cut = Chunker(maxTokens: 64, overlap: 0).Chunk(over);
        cut.Select(c => c.TokenCount).Should().Equal(60, 10);
        ChunkInvariants.Check(over, cut, Tokens, 64);
    }

    [Fact]
    public void Text_before_the_first_heading_has_an_empty_trail_and_an_empty_parent_section_joins_its_child()
    {
        var document = new DocumentBuilder()
            .AddParagraph("Preamble.")
            .AddHeading("Guide", 1)
            .AddHeading("Install", 2).AddParagraph("pip install quarry")
            .Build();

        var chunks = Chunker().Chunk(document);

        chunks.Should().HaveCount(2);
        chunks[0].Section.Should().BeEmpty();
        chunks[1].Text.Should().Be("# Guide\n\n## Install\n\npip install quarry");
        chunks[1].Section.Should().Equal("Guide", "Install");
    }

    [Fact]
    public void Blocks_are_packed_whole_and_the_next_chunk_overlaps_with_whole_trailing_blocks()
    {
        var builder = new DocumentBuilder().AddHeading("Facts", 1);
        for (var i = 0; i < 30; i++) builder.AddParagraph(Sentences(2)); // 20 tokens each
        var document = builder.Build();

        var chunks = Chunker(maxTokens: 100, overlap: 0.2).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        chunks.Should().HaveCountGreaterThan(1);
        foreach (var chunk in chunks.Skip(1))
        {
            // 0.2 × 100 = 20 tokens of overlap: exactly one 20-token paragraph is repeated.
            chunk.Text.Should().StartWith(Sentences(2) + "\n\n" + Sentences(2));
            chunk.Section.Should().Equal("Facts");
        }
        // Paragraph boundaries only: every chunk is whole paragraphs.
        chunks.SelectMany(c => c.Text.Split("\n\n")).Where(p => !p.StartsWith('#'))
            .Should().OnlyContain(p => p == Sentences(2));
        // The overlap is the previous chunk's last paragraph.
        for (var i = 1; i < chunks.Count; i++)
        {
            var previousLast = chunks[i - 1].Span.End - Sentences(2).Length;
            chunks[i].Span.Start.Should().Be(previousLast);
        }
    }

    [Fact]
    public void Overlap_never_crosses_a_section()
    {
        var builder = new DocumentBuilder();
        foreach (var title in new[] { "A", "B" })
        {
            builder.AddHeading(title, 2);
            for (var i = 0; i < 12; i++) builder.AddParagraph(Sentences(2));
        }
        var document = builder.Build();

        var chunks = Chunker(maxTokens: 100, overlap: 0.5).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        var firstOfB = chunks.First(c => c.Section.SequenceEqual(["B"]));
        firstOfB.Text.Should().StartWith("## B");
        var lastOfA = chunks.Last(c => c.Section.SequenceEqual(["A"]));
        lastOfA.Span.End.Should().BeLessThan(firstOfB.Span.Start);
    }

    [Fact]
    public void A_paragraph_over_the_limit_splits_into_sentences_with_sentence_overlap()
    {
        var document = new DocumentBuilder().AddParagraph(Sentences(25)).Build(); // 250 tokens

        var chunks = Chunker(maxTokens: 100, overlap: 0.15).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        chunks.Should().HaveCountGreaterThan(2);
        // 15 tokens of overlap allow one 10-token sentence; 10 sentences fit per chunk.
        chunks[0].Text.Should().Be(Sentences(10));
        chunks[1].Text.Should().Be(Sentences(10));
        chunks[1].Span.Start.Should().Be(chunks[0].Span.End - Sentence.Length);
        chunks.Should().OnlyContain(c => c.Text.EndsWith('.') && c.Text.StartsWith("The "));
    }

    [Fact]
    public void A_sentence_over_the_limit_splits_into_word_windows()
    {
        var words = string.Join(' ', Enumerable.Repeat("alpha beta gamma delta", 80)); // 320 tokens, no period
        var document = new DocumentBuilder().AddParagraph(words).Build();

        var chunks = Chunker(maxTokens: 100, overlap: 0).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        chunks.Select(c => c.TokenCount).Should().Equal(100, 100, 100, 20);
    }

    [Fact]
    public void A_whitespace_free_run_longer_than_a_chunk_is_cut_into_chunks_of_its_own()
    {
        var blob = string.Concat(Enumerable.Repeat("abc,", 400)); // 800 tokens without a space
        var document = new DocumentBuilder().AddParagraph("Before. " + blob + " after.").Build();

        var chunks = Chunker(maxTokens: 100).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        chunks.Should().HaveCountGreaterThanOrEqualTo(8);
    }

    [Fact]
    public void A_table_that_fits_stays_whole_and_one_that_does_not_splits_by_rows_repeating_the_header()
    {
        var rows = new List<IReadOnlyList<string>> { new[] { "Name", "Description" } };
        for (var i = 0; i < 40; i++) rows.Add(new[] { $"row{i}", Sentence });
        var document = new DocumentBuilder()
            .AddHeading("Reference", 2)
            .AddTable(rows.Take(3).ToList())
            .AddTable(rows)
            .Build();

        var chunks = Chunker(maxTokens: 100).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        const string header = "| Name | Description |\n| --- | --- |\n";
        chunks[0].Text.Should().Be("## Reference\n\n" + header + "| row0 | " + Sentence + " |\n| row1 | " + Sentence + " |",
            "the small table packs with the heading");
        var pieces = chunks.Skip(1).ToList();
        pieces.Should().HaveCountGreaterThan(2);
        pieces[0].HeaderPrefixLength.Should().Be(0, "the first piece carries the table's own header");
        pieces[0].Text.Should().StartWith(header);
        foreach (var piece in pieces.Skip(1))
        {
            piece.HeaderPrefixLength.Should().Be(header.Length);
            piece.Text.Should().StartWith(header + "| row");
            document.Text[piece.Span.Start..].Should().StartWith("| row", "the span covers only the rows");
        }
        // No overlap between row pieces: every row appears exactly once.
        for (var i = 0; i < 40; i++)
        {
            pieces.Count(p => p.Text.Contains($"| row{i} |", StringComparison.Ordinal)).Should().Be(1);
        }
    }

    [Fact]
    public void Code_over_the_limit_splits_by_lines_without_overlap()
    {
        var code = string.Join('\n', Enumerable.Range(0, 60).Select(i => $"    total = total + compute(item_{i}, factor)"));
        var document = new DocumentBuilder().AddParagraph("Example:").AddCode(code, "python").Build();

        var chunks = Chunker(maxTokens: 100, overlap: 0.5).Chunk(document);

        ChunkInvariants.Check(document, chunks, Tokens, 100);
        chunks.Should().OnlyContain(c => c.HeaderPrefixLength == 0);
        // The first line group fills a chunk, so the short paragraph before it stays alone.
        chunks[0].Text.Should().Be("Example:");
        chunks[1].Text.Should().StartWith("```python\n");
        chunks[^1].Text.Should().EndWith("\n```");
        for (var i = 0; i < 60; i++)
        {
            chunks.Count(c => c.Text.Contains($"item_{i},", StringComparison.Ordinal)).Should().Be(1);
        }
    }

    [Fact]
    public void Pages_come_from_the_blocks()
    {
        var builder = new DocumentBuilder();
        for (var page = 1; page <= 4; page++)
        {
            builder.CurrentPage = page;
            builder.AddParagraph(Sentences(4));
        }
        var document = builder.Build();

        var chunks = Chunker(maxTokens: 100, overlap: 0).Chunk(document);

        chunks.Select(c => (c.PageStart, c.PageEnd)).Should().Equal((1, 2), (3, 4));
    }

    [Fact]
    public void An_empty_document_has_no_chunks()
    {
        Chunker().Chunk(new DocumentBuilder().Build()).Should().BeEmpty();
    }

    [Theory]
    [InlineData(100, 0.0)]
    [InlineData(100, 0.5)]
    [InlineData(256, 0.15)]
    [InlineData(512, 0.15)]
    public void Invariants_hold_on_generated_documents(int maxTokens, double overlap)
    {
        var random = new Random(maxTokens);
        string[] vocabulary = ["alpha", "beta", "e.g.", "Dr.", "3.14", "Fig.", "naïve", "東京", "x=1;", "https://a.b/c", "(see", "it)", "\"quoted\"", "λ"];
        for (var n = 0; n < 40; n++)
        {
            var builder = new DocumentBuilder();
            for (var b = 0; b < random.Next(1, 40); b++)
            {
                builder.CurrentPage = b / 5 + 1;
                string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ =>
                    vocabulary[random.Next(vocabulary.Length)] + (random.Next(8) == 0 ? ". The" : "")));
                switch (random.Next(7))
                {
                    case 0: builder.AddHeading(Words(3), random.Next(1, 4)); break;
                    case 1: builder.AddListItem(Words(random.Next(1, 300)), random.Next(3)); break;
                    case 2: builder.AddQuote(Words(random.Next(1, 200))); break;
                    case 3: builder.AddCode(string.Join('\n', Enumerable.Range(0, random.Next(1, 200)).Select(_ => Words(random.Next(0, 12))))); break;
                    case 4:
                        builder.AddTable(Enumerable.Range(0, random.Next(1, 80))
                            .Select(_ => (IReadOnlyList<string>)[Words(2), Words(random.Next(1, 20))]).ToList());
                        break;
                    default: builder.AddParagraph(Words(random.Next(1, 1500))); break;
                }
            }
            var document = builder.Build();

            var chunks = Chunker(maxTokens, overlap).Chunk(document);

            ChunkInvariants.Check(document, chunks, Tokens, maxTokens);
        }
    }

    [Fact]
    public void Registration_validates_options_and_resolves_the_default_tokenizer()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddQuarryChunking(o => o.MaxTokens = 256);

        services.Should().Contain(d => d.ServiceType == typeof(StructureAwareChunker));
        services.Should().Contain(d => d.ServiceType == typeof(ITokenCounter));
        Create(services).MaxTokens.Should().Be(256);
    }

    [Theory]
    [InlineData(99, 0.15)]
    [InlineData(2001, 0.15)]
    [InlineData(512, 0.6)]
    public void Out_of_range_options_fail_validation(int maxTokens, double overlap)
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddQuarryChunking(o => { o.MaxTokens = maxTokens; o.Overlap = overlap; });

        var create = () => Create(services);

        create.Should().Throw<OptionsValidationException>();
    }

    /// <summary>What the container does for IOptions&lt;ChunkingOptions&gt;, from the registered instances.</summary>
    private static ChunkingOptions Create(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        T[] All<T>() => services.Where(d => d.ServiceType == typeof(T)).Select(d => (T)d.ImplementationInstance!).ToArray();
        var factory = new OptionsFactory<ChunkingOptions>(
            All<IConfigureOptions<ChunkingOptions>>(), All<IPostConfigureOptions<ChunkingOptions>>(), All<IValidateOptions<ChunkingOptions>>());
        return factory.Create(Options.DefaultName);
    }
}
