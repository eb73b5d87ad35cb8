namespace Quarry.Generation;

/// <summary>
/// A chat model: one call that returns the whole completion and one that streams it. Resilience (timeouts, retries,
/// breakers, rate limits, fallback) is composed around providers by the gateway, not inside them.
/// </summary>
public interface IChatModel
{
    /// <summary>Provider-qualified model id, e.g. "openai:gpt-4o-mini"; recorded in answers as <c>model</c>.</summary>
    string ModelId { get; }

    /// <summary>Tokens the model accepts in one request (prompt + answer); the prompt builder budgets against it.</summary>
    int ContextWindow { get; }

    /// <exception cref="ChatModelException">The provider failed or answered something unusable.</exception>
    Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);

    /// <summary>Streams text deltas; the last update carries the finish reason and, when the provider reports it, usage.</summary>
    /// <exception cref="ChatModelException">The provider failed before or during the stream.</exception>
    IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, CancellationToken cancellationToken);
}
