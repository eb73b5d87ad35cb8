using Quarry.Documents;
using Quarry.Storage;

namespace Quarry.Storage.Compliance;

/// <summary>Builds writes the way ingestion would: chunks laid end to end in the normalized text.</summary>
public static class TestDocuments
{
    public static TenantId TenantA { get; } = new("tenant-a");
    public static TenantId TenantB { get; } = new("tenant-b");

    public static DocumentWrite Write(TenantId tenant, KnowledgeBaseId knowledgeBase, string sourceUri, params string[] chunkTexts)
    {
        var text = string.Join("\n\n", chunkTexts);
        var chunks = new List<ChunkContent>();
        var offset = 0;
        foreach (var chunk in chunkTexts)
        {
            chunks.Add(new ChunkContent
            {
                Text = chunk,
                Span = new TextSpan(offset, offset + chunk.Length),
                TokenCount = chunk.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
                Section = ["Guide", "Part " + chunks.Count],
            });
            offset += chunk.Length + 2;
        }
        return new DocumentWrite
        {
            TenantId = tenant,
            KnowledgeBaseId = knowledgeBase,
            DocumentId = DocumentIdentity.ForSource(tenant, knowledgeBase, sourceUri),
            Title = Path.GetFileNameWithoutExtension(sourceUri),
            SourceUri = sourceUri,
            ContentType = "text/plain",
            SizeBytes = System.Text.Encoding.UTF8.GetByteCount(text),
            Checksum = DocumentIdentity.Checksum(text),
            NormalizedText = text,
            Chunks = chunks,
        };
    }

    public static IReadOnlyDictionary<string, string> Tags(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public static ChunkEmbeddings OrdinalEmbeddings(string model, params float[][] vectors) =>
        new(model, vectors[0].Length, vectors.Select((v, i) => KeyValuePair.Create(new ChunkId("#" + i), new ReadOnlyMemory<float>(v))).ToList());

    /// <summary>Cosine similarity in double precision: the order an exact vector search must return.</summary>
    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
