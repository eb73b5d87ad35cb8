using Quarry.Documents;

namespace Quarry.Spending;

/// <summary>
/// Chat-model usage per tenant, UTC day and model, kept in the store so that every replica adds to and reads the
/// same totals (quotas hold across replicas).
/// </summary>
public interface IUsageLedger
{
    /// <summary>Adds one model call to its tenant's row for <paramref name="day"/> and <paramref name="model"/>.</summary>
    Task RecordAsync(TenantId tenant, DateOnly day, string model, TokenCount tokens, decimal cost, CancellationToken cancellationToken);

    /// <summary>The tenant's rows from <paramref name="from"/> to <paramref name="to"/> inclusive, by day then model.</summary>
    Task<IReadOnlyList<UsageRow>> ListAsync(TenantId tenant, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <param name="Input">Prompt tokens.</param>
/// <param name="Output">Completion tokens.</param>
public readonly record struct TokenCount(long Input, long Output)
{
    public long Total => Input + Output;
}

/// <summary>One tenant's use of one model on one UTC day.</summary>
public sealed record UsageRow(DateOnly Day, string Model, long Requests, long InputTokens, long OutputTokens, decimal Cost);
