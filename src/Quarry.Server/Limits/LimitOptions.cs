using System.ComponentModel.DataAnnotations;

namespace Quarry.Server.Limits;

/// <summary>
/// Per-tenant rate limits and quotas, request timeouts and size limits. <see cref="Tenants"/> overrides the defaults
/// for named tenants, e.g. <c>QUARRY_Server__Limits__Tenants__acme__RequestsPerSecond=500</c>.
/// </summary>
public sealed class LimitOptions
{
    public const string SectionName = "Server:Limits";

    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests a tenant may send at once above its steady rate.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 200;

    /// <summary>When the store is shared by replicas (PostgreSQL), one bucket per tenant for all of them; false keeps
    /// a bucket per process (N replicas then admit N times the rate).</summary>
    public bool SharedAcrossReplicas { get; set; } = true;

    [Range(1, 10_000)]
    public int ConcurrentAsks { get; set; } = 8;

    [Range(1, int.MaxValue)]
    public int MaxDocuments { get; set; } = 100_000;

    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Largest upload (one file or JSON document).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest body of every other request.</summary>
    [Range(1, long.MaxValue)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Requests with an unknown or malformed key one client address may send per second (after
    /// <see cref="FailedAuthenticationBurst"/>) before its requests without a recently valid key are refused with 429,
    /// ahead of the key lookup. Keys already known valid are never held back by this limit.</summary>
    [Range(1, 1_000_000)]
    public int FailedAuthenticationsPerSecond { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int FailedAuthenticationBurst { get; set; } = 50;

    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan SearchTimeout { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Ask and chat completions, streamed or not.</summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromMinutes(3);
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public Dictionary<string, TenantLimits> Tenants { get; set; } = new(StringComparer.Ordinal);

    public TenantLimits For(string tenant)
    {
        Tenants.TryGetValue(tenant, out var custom);
        return new TenantLimits
        {
            RequestsPerSecond = custom?.RequestsPerSecond ?? RequestsPerSecond,
            Burst = custom?.Burst ?? Burst,
            ConcurrentAsks = custom?.ConcurrentAsks ?? ConcurrentAsks,
            MaxDocuments = custom?.MaxDocuments ?? MaxDocuments,
            MaxBytes = custom?.MaxBytes ?? MaxBytes,
        };
    }
}

public sealed class TenantLimits
{
    public int? RequestsPerSecond { get; set; }
    public int? Burst { get; set; }
    public int? ConcurrentAsks { get; set; }
    public int? MaxDocuments { get; set; }
    public long? MaxBytes { get; set; }
}
