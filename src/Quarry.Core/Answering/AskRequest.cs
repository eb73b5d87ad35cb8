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
}
