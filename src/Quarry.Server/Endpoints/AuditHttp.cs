using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Audit;
using Quarry.Server.Auth;

namespace Quarry.Server.Endpoints;

/// <summary>One call from an administrative endpoint records its event: tenant, key and trace come from the request.</summary>
internal static class AuditHttp
{
    public static void Audit(this HttpContext http, string kind, string subject, string? knowledgeBase = null) =>
        http.RequestServices.GetService<IAuditTrail>()?.Record(new AuditEvent(
            http.User.Tenant(), kind, subject, http.User.FindFirst(Caller.KeyClaim)?.Value,
            Activity.Current?.TraceId.ToHexString(), knowledgeBase is null ? null : [knowledgeBase]));
}
