using Quarry.Answering;
using Quarry.Documents;

namespace Quarry.Conversations;

/// <summary>A server-side session: one caller's conversation with one knowledge base (or none: the default).</summary>
/// <param name="Owner">Who may see it: <c>user:…</c> for a caller with a user identity, otherwise <c>key:…</c>.</param>
public sealed record Conversation(
    string Id,
    TenantId Tenant,
    string Owner,
    string? KnowledgeBase,
    string Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int TurnCount = 0,
    long Bytes = 0);

/// <summary>One question and its answer.</summary>
/// <param name="RewrittenQuery">The standalone query retrieval used, when the question was rewritten.</param>
public sealed record ConversationTurn(
    int Ordinal,
    string Question,
    string? RewrittenQuery,
    string Answer,
    IReadOnlyList<Citation> Citations,
    DateTimeOffset CreatedAt)
{
    /// <summary>What the turn costs against <see cref="ConversationOptions.MaxBytes"/>.</summary>
    public long Bytes => ConversationJson.Size(this);
}

/// <summary>The size limits an append enforces, oldest turns dropped first; the newest turn is always kept.</summary>
public sealed record ConversationLimits(int MaxTurns, long MaxBytes);
