using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Quarry.Conversations;
using Quarry.Server.Auth;

namespace Quarry.Server.Conversations;

/// <summary>
/// The caller's sessions: every operation is scoped to the caller's tenant and owner (its user when the key or token
/// names one, otherwise its key), and a session past its retention age is treated as gone before the sweep deletes
/// it. Timestamps are kept to the millisecond, which both stores hold exactly.
/// </summary>
internal sealed class Sessions(IConversationStore store, IOptions<ConversationOptions> options, TimeProvider time)
{
    public ConversationOptions Options => options.Value;

    public static string Owner(ClaimsPrincipal user) =>
        user.FindFirst(Caller.UserClaim)?.Value is { Length: > 0 } id ? "user:" + id : "key:" + user.FindFirst(Caller.KeyClaim)?.Value;

    public DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    public static string NewId() => "ses_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public IConversationStore Store => store;

    /// <summary>The caller's session, or null when it does not exist, is another caller's, or has expired.</summary>
    public async Task<Conversation?> FindAsync(ClaimsPrincipal user, string? id, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(id)) return null;
        var session = await store.GetAsync(user.Tenant(), Owner(user), id!, cancellationToken);
        return session is null || Expired(session) ? null : session;
    }

    public bool Expired(Conversation session) => session.UpdatedAt < Now().AddDays(-options.Value.RetentionDays);

    public ConversationLimits Limits => new(options.Value.MaxTurns, options.Value.MaxBytes);

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static bool IsWellFormed(string? id) =>
        id is { Length: > 4 and <= 64 } && id.StartsWith("ses_", StringComparison.Ordinal) && id.AsSpan(4).IndexOfAnyExcept(Hex) < 0;
}
