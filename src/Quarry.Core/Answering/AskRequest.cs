using Quarry.Generation;
using Quarry.Retrieval;

namespace Quarry.Answering;

/// <param name="Question">The user's question; validated like a search query (not empty, bounded length).</param>
/// <param name="Filter">Tenant, knowledge bases and other filters, applied inside retrieval.</param>
public sealed record AskRequest(string Question, SearchFilter Filter)
{
    /// <summary>Earlier turns of the conversation, oldest first (the question itself is not included).</summary>
    public IReadOnlyList<ChatMessage> History { get; init; } = [];

    /// <summary>Evidence chunks to retrieve; the configured default when null.</summary>
    public int? TopK { get; init; }

    /// <summary>The chat provider (by name) to try first; callers check who may choose
    /// (<see cref="Generation.ChatRoutingOptions.AllowRequestedModel"/>). Null lets routing decide.</summary>
    public string? Model { get; init; }

    /// <summary>Sampling temperature for the chat model; the provider's default when null.</summary>
    public float? Temperature { get; init; }

    /// <summary>At most this many answer tokens (never more than the configured maximum).</summary>
    public int? MaxOutputTokens { get; init; }
}
