using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Audit;
using Quarry.Server.Auth;
using Quarry.Server.Errors;

namespace Quarry.Server.Endpoints;

/// <summary>Admins read their own tenant's audit trail, newest first; another tenant's record is simply not found.</summary>
internal static class AuditEndpoints
{
    private const int DefaultLimit = 50, MaxLimit = 500;

    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);

        group.MapGet("", async (HttpContext http, IAuditStore store, string? from, string? to, string? route, string? keyId, string? documentId,
            string? limit, string? cursor, CancellationToken ct) =>
        {
            if (!AuditTime.TryParse(from, out var fromTime)) return Problems.Invalid("'from' must be an ISO 8601 date or time, e.g. 2026-01-31T00:00:00Z.");
            if (!AuditTime.TryParse(to, out var toTime)) return Problems.Invalid("'to' must be an ISO 8601 date or time, e.g. 2026-02-01T00:00:00Z.");
            if (fromTime is { } f && toTime is { } t && f > t) return Problems.Invalid("'from' must not be after 'to'.");
            var size = DefaultLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
                return Problems.Invalid($"'limit' must be a whole number from 1 to {MaxLimit}.");
            long? before = null;
            if (cursor is not null)
            {
                if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                    return Problems.Invalid("'cursor' is not a cursor this endpoint returned.");
                before = parsed;
            }
            var page = await store.QueryAsync(new AuditQuery(http.User.Tenant(), fromTime, toTime, Blank(route), Blank(keyId), Blank(documentId), size, before), ct);
            return Results.Ok(new AuditListResponse(page.Items, page.Next?.ToString(CultureInfo.InvariantCulture)));
        }).WithName("ListAudit").Produces<AuditListResponse>();

        group.MapGet("/{id}", async (string id, HttpContext http, IAuditStore store, CancellationToken ct) =>
            await store.GetAsync(http.User.Tenant(), id, ct) is { } record
                ? Results.Ok(record)
                : Problems.NotFoundResult($"No audit record '{id}'."))
            .WithName("GetAudit").Produces<AuditRecord>();
    }


    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <param name="NextCursor">Pass as <c>cursor</c> for the next (older) page; null on the last page.</param>
internal sealed record AuditListResponse(IReadOnlyList<AuditRecord> Items, string? NextCursor);
