using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Quarry.Server.Observability;

/// <summary>The id a caller quotes to find a request in traces, logs and the audit trail: the W3C trace id of the
/// request's span (32 hex digits), or ASP.NET Core's request id when tracing is off.</summary>
internal static class TraceIds
{
    public static string Of(HttpContext context) =>
        Activity.Current is { } activity && activity.TraceId != default ? activity.TraceId.ToHexString() : context.TraceIdentifier;
}
