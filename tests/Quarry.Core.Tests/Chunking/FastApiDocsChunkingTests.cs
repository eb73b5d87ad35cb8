using System.Diagnostics;
using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Core.Tests.TestSupport;
using Quarry.Core.Tests.Tokenization;
using Quarry.Parsing;
using Quarry.Tokenization;
using Xunit.Abstractions;

namespace Quarry.Core.Tests.Chunking;

/// <summary>The chunker on a real knowledge base: the 155 FastAPI documentation pages.</summary>
public class FastApiDocsChunkingTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<ParsedDocument>> Documents = new(() =>
        Directory.EnumerateFiles(SharedData.Path("datasets", "kb-fastapi-docs", "docs"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => MarkdownFixture.Parse(File.ReadAllText(path), Path.GetFileName(path)))
            .ToList());

    [SharedDataFact]
    public void Invariants_hold_on_every_page_for_several_settings()
    {
        Documents.Value.Should().HaveCount(155);
        foreach (var (maxTokens, overlap) in new[] { (100, 0.0), (100, 0.5), (256, 0.15), (512, 0.15), (2000, 0.3) })
        {
            var chunker = new StructureAwareChunker(
                Options.Create(new ChunkingOptions { MaxTokens = maxTokens, Overlap = overlap, MinTokens = 0 }), BertWordPieceTokenizer.Default);
            var total = 0;
            foreach (var document in Documents.Value)
            {
                var chunks = chunker.Chunk(document);
                ChunkInvariants.Check(document, chunks, BertWordPieceTokenizer.Default, maxTokens);
                total += chunks.Count;
            }
            output.WriteLine($"MaxTokens={maxTokens} Overlap={overlap}: {total} chunks");
        }
    }

    /// <summary>A rough figure for the report, printed, never asserted: BenchmarkDotNet has the real numbers.</summary>
    [SharedDataFact]
    public void Measure_throughput()
    {
        var tokenizer = BertWordPieceTokenizer.Default;
        var texts = Documents.Value.Select(d => d.Text).ToList();
        var chars = texts.Sum(t => (long)t.Length);
        var chunker = new StructureAwareChunker(Options.Create(new ChunkingOptions()), tokenizer);
        foreach (var text in texts) tokenizer.CountTokens(text);

        var watch = Stopwatch.StartNew();
        long tokens = 0;
        for (var round = 0; round < 5; round++)
        {
            foreach (var text in texts) tokens += tokenizer.CountTokens(text);
        }
        var countSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var chunks = 0;
        for (var round = 0; round < 5; round++)
        {
            foreach (var document in Documents.Value) chunks += chunker.Chunk(document).Count;
        }
        var chunkSeconds = watch.Elapsed.TotalSeconds;

        output.WriteLine($"CountTokens: {5 * chars * 2 / 1e6 / countSeconds:F1} MB/s of UTF-16 text ({5 * chars / 1e6 / countSeconds:F1} M chars/s), {tokens / 5} tokens per pass");
        output.WriteLine($"Chunk (MaxTokens 512): {chunks / chunkSeconds:F0} chunks/s, {5 * Documents.Value.Count / chunkSeconds:F0} documents/s, {chunks / 5} chunks per pass");
    }
}
