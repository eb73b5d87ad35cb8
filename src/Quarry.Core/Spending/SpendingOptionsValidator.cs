using Microsoft.Extensions.Options;

namespace Quarry.Spending;

/// <summary>Start-up checks, each failure one sentence naming the configuration key.</summary>
internal sealed class SpendingOptionsValidator : IValidateOptions<SpendingOptions>
{
    private const string Section = SpendingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, SpendingOptions options)
    {
        var failures = new List<string>();
        if (options.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
            failures.Add($"{Section}:Currency '{options.Currency}' is not a three-letter ISO 4217 code such as USD.");
        foreach (var (model, price) in options.Prices)
        {
            if (price.InputPer1kTokens < 0 || price.OutputPer1kTokens < 0)
                failures.Add($"{Section}:Prices:{model} has a negative price: prices are per 1,000 tokens and at least 0.");
        }
        Check(options.Quotas, $"{Section}:Quotas", failures);
        foreach (var (tenant, limits) in options.Tenants)
            Check(limits, $"{Section}:Tenants:{tenant}", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(QuotaLimits limits, string key, List<string> failures)
    {
        if (limits.DailyTokens is <= 0) failures.Add($"{key}:DailyTokens must be positive (leave it unset for no limit).");
        if (limits.MonthlyTokens is <= 0) failures.Add($"{key}:MonthlyTokens must be positive (leave it unset for no limit).");
        if (limits.DailySpend is <= 0) failures.Add($"{key}:DailySpend must be positive (leave it unset for no limit).");
        if (limits.MonthlySpend is <= 0) failures.Add($"{key}:MonthlySpend must be positive (leave it unset for no limit).");
    }
}
