using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Quarry.Server.Mcp;

/// <summary>Who is calling a tool: the authenticated HTTP caller on <c>/mcp</c>, the operator's tenant over stdio.</summary>
internal interface IMcpCaller
{
    ClaimsPrincipal User { get; }

    /// <summary>Takes one of the caller's concurrent-answer slots before an answer is computed; null where no limit applies.</summary>
    Func<CancellationToken, ValueTask<IDisposable>>? Admit { get; }
}

/// <summary>The SDK flows the HTTP request's context into tool calls, so the principal is the one the API-key handler
/// built for the request that carried the call.</summary>
internal sealed class HttpMcpCaller(IHttpContextAccessor accessor) : IMcpCaller
{
    public ClaimsPrincipal User => accessor.HttpContext?.User is { Identity.IsAuthenticated: true } user
        ? user
        : throw new InvalidOperationException("An MCP tool ran outside an authenticated request.");

    public Func<CancellationToken, ValueTask<IDisposable>>? Admit =>
        accessor.HttpContext is { } http && http.RequestServices.GetService(typeof(Limits.AskSlots)) is Limits.AskSlots slots ? slots.For(http) : null;
}

internal sealed class FixedMcpCaller(ClaimsPrincipal user) : IMcpCaller
{
    public ClaimsPrincipal User { get; } = user;

    public Func<CancellationToken, ValueTask<IDisposable>>? Admit => null;
}
