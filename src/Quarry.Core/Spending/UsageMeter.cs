using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Generation;

namespace Quarry.Spending;

/// <summary>
/// Prices model calls, records them in the tenant's ledger and refuses a call when the tenant's quota is used up.
/// The check reads the shared ledger, so replicas enforce one quota together; a call admitted just under the limit
/// may overshoot it by its own size (the check cannot know a call's cost before it is made).
/// </summary>
public sealed class UsageMeter
{
    private readonly SpendingOptions _options;
    private readonly IUsageLedger? _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<UsageMeter> _logger;

    internal UsageMeter(IOptions<SpendingOptions> options, IUsageLedger? ledger, TimeProvider time, ILogger<UsageMeter> logger)
    {
        _options = options.Value;
        _ledger = ledger;
        _time = time;
        _logger = logger;
    }

    public string Currency => _options.Currency;

    /// <summary>The cost of <paramref name="usage"/> on <paramref name="model"/>; null when there was no model call.</summary>
    public AnswerCost? CostOf(string model, TokenUsage? usage)
    {
        if (usage is null) return null;
        if (PriceOf(model) is not { } price) return new AnswerCost(0, _options.Currency, Priced: false);
        var amount = (usage.InputTokens * price.InputPer1kTokens + usage.OutputTokens * price.OutputPer1kTokens) / 1000m;
        return new AnswerCost(decimal.Round(amount, 6), _options.Currency, Priced: true);
    }

    /// <exception cref="QuotaExceededException">The tenant has used a daily or monthly quota.</exception>
    public async ValueTask EnsureWithinQuotaAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        var limits = _options.Tenants.TryGetValue(tenant.Value, out var own) ? own : _options.Quotas;
        if (!limits.Any || _ledger is null) return;
        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var rows = await _ledger.ListAsync(tenant, monthStart, today, cancellationToken);
        var day = rows.Where(r => r.Day == today).ToList();
        var untilTomorrow = today.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - now.UtcDateTime;
        var untilNextMonth = monthStart.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - now.UtcDateTime;
        Check(tenant, "daily-tokens", day.Sum(r => r.InputTokens + r.OutputTokens), limits.DailyTokens, untilTomorrow);
        Check(tenant, "monthly-tokens", rows.Sum(r => r.InputTokens + r.OutputTokens), limits.MonthlyTokens, untilNextMonth);
        Check(tenant, "daily-spend", day.Sum(r => r.Cost), limits.DailySpend, untilTomorrow);
        Check(tenant, "monthly-spend", rows.Sum(r => r.Cost), limits.MonthlySpend, untilNextMonth);
    }

    /// <summary>Adds a finished call to the tenant's ledger and counters. A ledger failure is logged, not thrown:
    /// the answer has been paid for already.</summary>
    public async Task RecordAsync(TenantId tenant, string model, TokenUsage usage, CancellationToken cancellationToken)
    {
        var cost = CostOf(model, usage)!.Amount;
        AiMetrics.TenantTokens.Add(usage.InputTokens, new(AiMetrics.Tags.Tenant, tenant.Value), new("direction", "input"));
        AiMetrics.TenantTokens.Add(usage.OutputTokens, new(AiMetrics.Tags.Tenant, tenant.Value), new("direction", "output"));
        if (cost > 0) AiMetrics.LlmCost.Add((double)cost, new(AiMetrics.Tags.Tenant, tenant.Value), new(AiMetrics.Tags.Model, model));
        if (_ledger is null) return;
        try
        {
            var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
            await _ledger.RecordAsync(tenant, day, model, new TokenCount(usage.InputTokens, usage.OutputTokens), cost, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SpendingLog.LedgerFailed(_logger, tenant.Value, model, e.Message);
        }
    }

    private ModelPrice? PriceOf(string model)
    {
        if (_options.Prices.TryGetValue(model, out var price)) return price;
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && _options.Prices.TryGetValue(model[(colon + 1)..], out price) ? price : null;
    }

    private void Check<T>(TenantId tenant, string quota, T used, T? limit, TimeSpan retryAfter) where T : struct, IComparable<T>
    {
        if (limit is not { } max || used.CompareTo(max) < 0) return;
        var amount = string.Format(CultureInfo.InvariantCulture, "{0}", used);
        var cap = string.Format(CultureInfo.InvariantCulture, "{0}", max);
        var unit = quota.EndsWith("spend", StringComparison.Ordinal) ? " " + _options.Currency : " tokens";
        SpendingLog.QuotaReached(_logger, tenant.Value, quota, amount, cap);
        throw new QuotaExceededException(
            $"Tenant '{tenant.Value}' has used its {quota.Replace('-', ' ')} quota ({amount} of {cap}{unit}); it renews in {Math.Ceiling(retryAfter.TotalMinutes):0} min.",
            quota,
            retryAfter);
    }
}
