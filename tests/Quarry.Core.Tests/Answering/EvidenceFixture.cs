using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Citations;
using Quarry.Documents;
using Quarry.Generation;

namespace Quarry.Core.Tests.Answering;

/// <summary>Evidence chunks cut from a document text at known spans, so citations can be checked against the text.</summary>
internal static class EvidenceFixture
{
    public static Chunk Chunk(string documentText, int start, int end, string title = "Doc", string[]? section = null, int ordinal = 0, string doc = "doc_a", string? text = null, int headerPrefix = 0)
    {
        var now = DateTimeOffset.UnixEpoch;
        return new Chunk
        {
            Id = new ChunkId($"{doc}_v1_c{ordinal}"),
            TenantId = TenantId.Default,
            KnowledgeBaseId = new KnowledgeBaseId("kb_test"),
            DocumentId = new DocumentId(doc),
            Version = 1,
            Ordinal = ordinal,
            Text = text ?? documentText[start..end],
            HeaderPrefixLength = headerPrefix,
            Title = title,
            Section = section ?? [],
            SourceUri = $"mem://{doc}",
            TokenCount = 10,
            Checksum = "x",
            Span = new TextSpan(start, end),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Each text becomes one whole-document chunk, numbered in order.</summary>
    public static IReadOnlyList<SuppliedEvidence> Documents(params string[] texts) =>
        texts.Select((t, i) => new SuppliedEvidence(i + 1, Chunk(t, 0, t.Length, title: $"Doc {i + 1}", doc: $"doc_{i + 1}"), 1.0 / (i + 1))).ToList();

    public static ExtractiveAnswerer Answerer(Action<ExtractiveAnswererOptions>? configure = null)
    {
        var options = new ExtractiveAnswererOptions();
        configure?.Invoke(options);
        return new ExtractiveAnswerer(Options.Create(options));
    }

    public static CitationVerifier Verifier() => new(Options.Create(new CitationOptions()));
}
