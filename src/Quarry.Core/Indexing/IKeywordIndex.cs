using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Indexing;

/// <summary>
/// Lexical (BM25-style) search over chunk text. The user's text is data: implementations build a safe query from it
/// and never pass query syntax through to the engine.
/// </summary>
public interface IKeywordIndex
{
    Task<IReadOnlyList<KeywordHit>> SearchAsync(KeywordSearchRequest request, CancellationToken cancellationToken);
}

public sealed record KeywordSearchRequest(string Query, SearchFilter Filter, int Limit);

/// <param name="Score">Higher is better; comparable only within one result list.</param>
public sealed record KeywordHit(ChunkId ChunkId, DocumentId DocumentId, double Score);
