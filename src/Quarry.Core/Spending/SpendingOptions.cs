namespace Quarry.Spending;

/// <summary>
/// What chat models cost and how much each tenant may spend. Prices are per 1,000 tokens in <see cref="Currency"/>;
/// quotas are checked before a model is called, against the usage every replica records in the store.
/// </summary>
public sealed class SpendingOptions
{
    public const string SectionName = "Spending";

    /// <summary>ISO 4217 code the prices are in; answers report their cost in it.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>Price per model, keyed by Quarry's model id ("openai:gpt-4o-mini") or the provider's model name
    /// ("gpt-4o-mini"). A model without a price costs nothing (its tokens are still counted).</summary>
    public IDictionary<string, ModelPrice> Prices { get; set; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Limits for every tenant without its own entry in <see cref="Tenants"/>.</summary>
    public QuotaLimits Quotas { get; set; } = new();

    /// <summary>Limits per tenant id; an entry replaces <see cref="Quotas"/> for that tenant (unset fields mean no limit).</summary>
    public IDictionary<string, QuotaLimits> Tenants { get; set; } = new Dictionary<string, QuotaLimits>(StringComparer.Ordinal);
}

/// <summary>Input and output price per 1,000 tokens.</summary>
public sealed class ModelPrice
{
    public decimal InputPer1kTokens { get; set; }

    public decimal OutputPer1kTokens { get; set; }
}

/// <summary>A tenant's limits per UTC day and calendar month (UTC); null means no limit.</summary>
public sealed class QuotaLimits
{
    public long? DailyTokens { get; set; }

    public long? MonthlyTokens { get; set; }

    public decimal? DailySpend { get; set; }

    public decimal? MonthlySpend { get; set; }

    internal bool Any => DailyTokens is not null || MonthlyTokens is not null || DailySpend is not null || MonthlySpend is not null;
}
