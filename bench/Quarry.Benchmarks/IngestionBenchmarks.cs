using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Benchmarks;

/// <summary>
/// The CPU stages of ingestion on the FastAPI docs sample (155 Markdown files, 1.4 MB): parse, chunk and count
/// tokens, per whole corpus. Storing is measured end to end by `quarry ingest --verbose`.
/// </summary>
[MemoryDiagnoser]
public class IngestionBenchmarks
{
    private (string Name, byte[] Bytes)[] _files = [];
    private ParsedDocument[] _parsed = [];
    private DocumentParserSelector _parser = null!;
    private StructureAwareChunker _chunker = null!;
    private BertWordPieceTokenizer _tokenizer = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var folder = SharedDataPath.Get("datasets", "kb-fastapi-docs", "docs");
        _files = Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToArray();
        var options = Options.Create(new ParsingOptions());
        _parser = new DocumentParserSelector([new MarkdownParser(options)], options);
        _tokenizer = BertWordPieceTokenizer.Default;
        _chunker = new StructureAwareChunker(Options.Create(new ChunkingOptions()), _tokenizer);
        _parsed = new ParsedDocument[_files.Length];
        for (var i = 0; i < _files.Length; i++) _parsed[i] = await ParseOneAsync(i);
    }

    private Task<ParsedDocument> ParseOneAsync(int i) =>
        _parser.ParseAsync(new ParserInput(new MemoryStream(_files[i].Bytes), _files[i].Name), CancellationToken.None);

    [Benchmark(Description = "parse 155 Markdown files")]
    public async Task<int> Parse()
    {
        var blocks = 0;
        for (var i = 0; i < _files.Length; i++) blocks += (await ParseOneAsync(i)).Blocks.Count;
        return blocks;
    }

    [Benchmark(Description = "chunk 155 parsed files (512 tokens)")]
    public int Chunk() => _parsed.Sum(d => _chunker.Chunk(d).Count);

    [Benchmark(Description = "count WordPiece tokens in 155 files")]
    public int CountTokens() => _parsed.Sum(d => _tokenizer.CountTokens(d.Text));
}
