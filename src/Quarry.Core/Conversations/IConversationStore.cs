using Quarry.Documents;

namespace Quarry.Conversations;

/// <summary>
/// Where sessions are kept. Every read and write names the tenant and the owner: a session of another tenant or
/// another caller is indistinguishable from one that does not exist.
/// </summary>
public interface IConversationStore
{
    Task CreateAsync(Conversation conversation, CancellationToken cancellationToken);

    Task<Conversation?> GetAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken);

    /// <summary>The owner's sessions, most recently used first.</summary>
    Task<IReadOnlyList<Conversation>> ListAsync(TenantId tenant, string owner, int limit, CancellationToken cancellationToken);

    Task<int> CountAsync(TenantId tenant, string owner, CancellationToken cancellationToken);

    /// <summary>The session's turns, oldest first; empty when the session does not exist for this owner.</summary>
    Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken);

    /// <summary>Renames the session or moves it to another knowledge base (null leaves a field as it is).</summary>
    Task<Conversation?> UpdateAsync(TenantId tenant, string owner, string id, string? title, string? knowledgeBase, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the turn (its ordinal is assigned: one after the newest) and, in the same transaction, drops the oldest
    /// turns beyond <paramref name="limits"/>. Returns the session as updated, or null when it does not exist for
    /// this owner.
    /// </summary>
    Task<Conversation?> AppendTurnAsync(TenantId tenant, string owner, string id, ConversationTurn turn, ConversationLimits limits, CancellationToken cancellationToken);

    /// <summary>Deletes every session (of any tenant) last used before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
