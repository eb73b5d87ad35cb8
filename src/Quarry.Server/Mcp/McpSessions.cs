using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using Quarry.Conversations;
using Quarry.Diagnostics;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;

namespace Quarry.Server.Mcp;

/// <summary>Sessions for MCP tools: the same store, owner rules and limits as <c>/v1/sessions</c>.</summary>
internal static class McpSessions
{
    /// <exception cref="McpException">No such session for this caller.</exception>
    public static async Task<SessionTurn> OpenAsync(IServiceProvider services, ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        await SessionTurn.OpenAsync(Sessions(services), user, sessionId, cancellationToken)
        ?? throw new McpException($"No session '{sessionId}' (it may have expired, or belong to another key).");

    /// <exception cref="McpException">The caller keeps as many sessions as allowed.</exception>
    public static async Task<string> StartAsync(IServiceProvider services, ClaimsPrincipal user, string? title, string? knowledgeBase, CancellationToken cancellationToken)
    {
        var sessions = Sessions(services);
        var tenant = user.Tenant();
        var owner = Conversations.Sessions.Owner(user);
        if (await sessions.Store.CountAsync(tenant, owner, cancellationToken) >= sessions.Options.MaxSessionsPerCaller)
            throw new McpException($"A caller may keep {sessions.Options.MaxSessionsPerCaller} sessions (Conversations:MaxSessionsPerCaller); delete one first.");
        var now = sessions.Now();
        var session = new Conversation(Conversations.Sessions.NewId(), tenant, owner, knowledgeBase,
            string.IsNullOrWhiteSpace(title) ? "New chat" : title.Trim()[..Math.Min(title.Trim().Length, 200)], now, now);
        await sessions.Store.CreateAsync(session, cancellationToken);
        if (RequestFacts.Current is { } facts) facts.SessionId = session.Id;
        return session.Id;
    }

    private static Sessions Sessions(IServiceProvider services) =>
        services.GetService<Sessions>() ?? throw new McpException("Sessions are not available on this server.");
}
