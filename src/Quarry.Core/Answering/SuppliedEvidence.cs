using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Answering;

/// <summary>An evidence chunk as numbered for the answer: [n] in the answer text refers to <see cref="N"/>.</summary>
/// <param name="Similarity">The query–chunk cosine of the dense search, when it found the chunk.</param>
internal sealed record SuppliedEvidence(int N, Chunk Chunk, double Score, double? Similarity = null)
{
    public Evidence Describe() => new(N, Chunk.DocumentId.Value, Chunk.Id.Value, Chunk.Title, Chunk.SectionPath, Chunk.SourceUri, Chunk.PageStart, Score);

    public static IReadOnlyList<SuppliedEvidence> Number(IReadOnlyList<RetrievedChunk> chunks) =>
        chunks.Select((c, i) => new SuppliedEvidence(i + 1, c.Chunk, c.Score, c.VectorScore)).ToList();
}
