using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Spending;

namespace Quarry.Server.Endpoints;

/// <summary>Admins read their tenant's chat-model usage and spend per UTC day and model, with its quotas.</summary>
internal static class UsageEndpoints
{
    private const int MaxDays = 366;

    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/usage", async (HttpContext http, IUsageLedger ledger, IOptions<SpendingOptions> options, TimeProvider time, string? from, string? to,
            CancellationToken ct) =>
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            if (!TryDay(to, today, out var last)) return Problems.Invalid("'to' must be a date such as 2026-12-31.");
            if (!TryDay(from, new DateOnly(last.Year, last.Month, 1), out var first)) return Problems.Invalid("'from' must be a date such as 2026-12-01.");
            if (first > last) return Problems.Invalid("'from' must not be after 'to'.");
            if (last.DayNumber - first.DayNumber >= MaxDays) return Problems.Invalid($"Ask for at most {MaxDays} days at a time.");
            var tenant = http.User.Tenant();
            var rows = await ledger.ListAsync(tenant, first, last, ct);
            var spending = options.Value;
            var quotas = spending.Tenants.TryGetValue(tenant.Value, out var own) ? own : spending.Quotas;
            return Results.Ok(new UsageResponse(
                tenant.Value, spending.Currency, first, last,
                rows.Select(r => new UsageDay(r.Day, r.Model, r.Requests, r.InputTokens, r.OutputTokens, r.Cost)).ToList(),
                new UsageTotals(rows.Sum(r => r.Requests), rows.Sum(r => r.InputTokens), rows.Sum(r => r.OutputTokens), rows.Sum(r => r.Cost)),
                new UsageQuotas(quotas.DailyTokens, quotas.MonthlyTokens, quotas.DailySpend, quotas.MonthlySpend)));
        }).RequireAuthorization(Policies.Admin).WithTags("Usage").WithName("GetUsage").Produces<UsageResponse>();

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return string.IsNullOrWhiteSpace(text) || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}

public sealed record UsageResponse(string Tenant, string Currency, DateOnly From, DateOnly To, IReadOnlyList<UsageDay> Days, UsageTotals Totals, UsageQuotas Quotas);

public sealed record UsageDay(DateOnly Day, string Model, long Requests, long InputTokens, long OutputTokens, decimal Cost);

public sealed record UsageTotals(long Requests, long InputTokens, long OutputTokens, decimal Cost);

public sealed record UsageQuotas(long? DailyTokens, long? MonthlyTokens, decimal? DailySpend, decimal? MonthlySpend);
