using Quarry.Answering;
using Quarry.Conversations;

namespace Quarry.Server.Conversations;

// Bodies of /v1/sessions (camelCase on the wire).

public sealed record CreateSessionRequest(string? Title = null, string? KnowledgeBase = null);

/// <summary>Renames a session or moves it to another knowledge base; absent fields are left as they are.</summary>
public sealed record UpdateSessionRequest(string? Title = null, string? KnowledgeBase = null);

public sealed record SessionResponse(string Id, string Title, string? KnowledgeBase, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Turns, long Bytes)
{
    public static SessionResponse From(Conversation c) => new(c.Id, c.Title, c.KnowledgeBase, c.CreatedAt, c.UpdatedAt, c.TurnCount, c.Bytes);
}

public sealed record SessionTurnResponse(int Ordinal, string Question, string? RewrittenQuery, string Answer, IReadOnlyList<Citation> Citations, DateTimeOffset CreatedAt)
{
    public static SessionTurnResponse From(ConversationTurn t) => new(t.Ordinal, t.Question, t.RewrittenQuery, t.Answer, t.Citations, t.CreatedAt);
}

public sealed record SessionDetailResponse(SessionResponse Session, IReadOnlyList<SessionTurnResponse> Turns);

public sealed record SessionListResponse(IReadOnlyList<SessionResponse> Items);
