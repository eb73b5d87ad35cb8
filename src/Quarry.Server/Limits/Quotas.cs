using System.Globalization;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Server.Errors;
using Quarry.Tenancy;

namespace Quarry.Server.Limits;

/// <summary>Document and byte quotas, checked before an upload is accepted. Unfinished jobs count as documents, so
/// a burst of uploads cannot overshoot the quota before the workers catch up.</summary>
internal sealed class Quotas(ITenantStore tenants, IOptions<LimitOptions> options)
{
    /// <summary>A 429 problem when storing <paramref name="incomingBytes"/> more would exceed a quota, else null.</summary>
    public async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> CheckUploadAsync(TenantId tenant, long incomingBytes, CancellationToken cancellationToken)
    {
        var limits = options.Value.For(tenant.Value);
        var usage = await tenants.GetUsageAsync(tenant, cancellationToken);
        string? detail = null;
        if (usage.Documents + usage.ActiveJobs + 1 > limits.MaxDocuments)
            detail = string.Create(CultureInfo.InvariantCulture, $"The tenant holds {usage.Documents} documents and {usage.ActiveJobs} pending uploads; its quota is {limits.MaxDocuments} documents.");
        else if (usage.Bytes + incomingBytes > limits.MaxBytes)
            detail = string.Create(CultureInfo.InvariantCulture, $"The tenant stores {usage.Bytes} bytes; this upload of {incomingBytes} bytes would exceed its quota of {limits.MaxBytes} bytes.");
        if (detail is null) return null;
        var problem = Problems.Create(Problems.QuotaExceeded, detail);
        // Quotas free up only when documents are deleted; the hint tells well-behaved clients not to spin.
        problem.Extensions["retryAfterSeconds"] = 3600;
        return problem;
    }
}
