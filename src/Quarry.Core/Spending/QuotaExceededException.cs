namespace Quarry.Spending;

/// <summary>A tenant has used its token or spend quota for the day or month; no model was called.</summary>
/// <param name="RetryAfter">Until the quota's period ends (UTC midnight, or the first of next month).</param>
public sealed class QuotaExceededException(string message, string quota, TimeSpan retryAfter) : Exception(message)
{
    /// <summary>Which limit: daily-tokens, monthly-tokens, daily-spend, monthly-spend.</summary>
    public string Quota { get; } = quota;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
