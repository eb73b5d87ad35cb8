namespace Quarry.Generation;

/// <summary>
/// Quarry's internal contract with the gateway: one call that returns the whole completion and one that streams it,
/// typed with what the answer pipeline and the gateway exchange (tenant, routing hints, admission, the fallback path
/// taken). Outside Quarry the seams are Microsoft.Extensions.AI's: providers are <c>IChatClient</c>s
/// (<see cref="ChatClientServiceCollectionExtensions.AddQuarryChatClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, int)"/>),
/// and the gateway is served as a keyed <c>IChatClient</c> (<see cref="ChatClientServiceCollectionExtensions.GatewayKey"/>).
/// </summary>
internal interface IChatModel
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
