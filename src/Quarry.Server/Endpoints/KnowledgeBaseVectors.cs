using Quarry.Documents;
using Quarry.Vectorizing;

namespace Quarry.Server.Endpoints;

/// <summary>How far a knowledge base's vectors are: <paramref name="Embedded"/> of <paramref name="Chunks"/> chunks
/// have a vector of <paramref name="Model"/>; the others are found by keyword only until the background stage reaches them.</summary>
public sealed record KnowledgeBaseVectors(string Model, int Embedded, int Chunks)
{
    internal static async Task<IReadOnlyList<KnowledgeBaseResponse>> DescribeAsync(IEnumerable<KnowledgeBase> knowledgeBases, VectorFiller filler, CancellationToken cancellationToken)
    {
        var result = new List<KnowledgeBaseResponse>();
        foreach (var kb in knowledgeBases)
        {
            var coverage = await filler.GetCoverageAsync(kb, cancellationToken);
            result.Add(KnowledgeBaseResponse.From(kb) with
            {
                Vectors = coverage is null ? null : new KnowledgeBaseVectors(coverage.Model, coverage.Embedded, coverage.Chunks),
            });
        }
        return result;
    }
}
