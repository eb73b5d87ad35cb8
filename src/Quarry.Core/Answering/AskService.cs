namespace Quarry.Answering;

/// <summary>
/// Answers a question from the knowledge base: retrieve → (rerank) → prompt → generate → cite. With no chat model
/// configured, or when every model fails, the built-in extractive answerer answers and <see cref="Answer.Degraded"/>
/// records the path taken.
/// </summary>
public sealed class AskService
{
    /// <exception cref="Quarry.Retrieval.InvalidQueryException">The question is empty, too long or otherwise unusable.</exception>
    public Task<Answer> AskAsync(AskRequest request, CancellationToken cancellationToken) =>
        throw new NotImplementedException("Arrives with the answers issue (in progress).");

    public IAsyncEnumerable<AnswerEvent> StreamAsync(AskRequest request, CancellationToken cancellationToken) =>
        throw new NotImplementedException("Arrives with the answers issue (in progress).");
}
