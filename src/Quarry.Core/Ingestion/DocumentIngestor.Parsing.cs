using Quarry.Chunking;
using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Privacy;

namespace Quarry.Ingestion;

/// <summary>From a source's bytes to chunks: parse, the privacy stage, chunk, and the carried documents, on the
/// document's own metered thread.</summary>
public sealed partial class DocumentIngestor
{
    /// <summary>Parse and chunk on the document's own thread, metered by <paramref name="cpu"/>. Every parser and the
    /// chunker draw on one budget: text and elements counted as they are produced, and the deadline (wall clock and CPU)
    /// checked at the same points, so neither a slow nor a huge document holds the worker.</summary>
    private async Task<(ParsedDocument Parsed, IReadOnlyList<ChunkContent> Chunks, IReadOnlyList<ParsedChild> Children)> ParseAndChunkAsync(
        IngestSource source, byte[]? buffered, JobCpuMeter cpu, Func<ParsedDocument, ParsedDocument> protect, CancellationToken cancellationToken)
    {
        // Parsers read their input whole anyway; reading it here keeps the file's asynchronous reads (which would resume
        // on the pool, off the metered thread) out of the parse.
        var bytes = buffered ?? await ReadAllAsync(source, cancellationToken);
        return await JobThread.RunAsync(async () =>
        {
            using var meter = cpu.Enter();
            using var budget = ExtractionBudget.Enter(new ExtractionBudget(_parsing.MaxExtractedChars, _parsing.MaxElements, cancellationToken));
            var parsed = await _parsers.ParseAsync(
                new ParserInput(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), source.FileName, source.ContentType, bytes.Length), cancellationToken);
            parsed = protect(parsed);
            IReadOnlyList<ChunkContent> chunks = _chunker.Chunk(parsed);
            var children = await ParseChildrenAsync(source, parsed, protect, cancellationToken);
            cpu.Sample();
            cancellationToken.ThrowIfCancellationRequested();
            return (parsed, chunks, children);
        }, cpu, "quarry-ingest");
    }

    /// <summary>The privacy stage, between parsing and chunking: under mask-stored, originals never reach the chunker,
    /// the embedder, the index or the store.</summary>
    private ParsedDocument Protect(ParsedDocument parsed, TenantId tenant, string knowledgeBase) =>
        _privacy?.ModeFor(tenant, knowledgeBase) == PrivacyMode.MaskStored ? _privacy.MaskDocument(parsed, tenant) : parsed;

    private static async Task<byte[]> ReadAllAsync(IngestSource source, CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(cancellationToken);
        var buffer = new MemoryStream(source.Length > 0 ? (int)source.Length : 4096);
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
