namespace Quarry.Reranking;

/// <summary>
/// Scores (query, passage) pairs jointly, e.g. with a cross-encoder. Higher is more relevant; scores are comparable
/// within one call only.
/// </summary>
public interface IReranker
{
    /// <summary>Provider-qualified model id, e.g. "local:cross-encoder/ms-marco-MiniLM-L-6-v2".</summary>
    string ModelId { get; }

    /// <returns>One score per passage, in input order.</returns>
    Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken);
}
