using System.ComponentModel.DataAnnotations;

namespace Quarry.Server.Observability;

/// <summary>Metrics, traces and logs of the service (section <c>Observability</c>). Traces go to OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; nothing here is needed for that.</summary>
public sealed class ObservabilityOptions : IValidatableObject
{
    public const string SectionName = "Observability";

    /// <summary>Off removes the OpenTelemetry SDK altogether (no metrics, no spans recorded or exported); the
    /// summary log line, the trace header (then ASP.NET Core's request id) and the audit trail remain.</summary>
    public bool Enabled { get; set; } = true;

    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>How the summary line of a request shows its question: <c>Hash</c> (default), <c>Full</c> or <c>None</c>.</summary>
    public QueryLogging LogQuery { get; set; } = QueryLogging.Hash;

    /// <summary>How often the ingestion backlog gauge is read from the store.</summary>
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Metrics.Path.StartsWith('/'))
            yield return new ValidationResult($"Observability:Metrics:Path must start with '/' (was '{Metrics.Path}').");
        if (Metrics.Port is < 1 or > 65535)
            yield return new ValidationResult($"Observability:Metrics:Port must be a TCP port (was {Metrics.Port}).");
        if (BacklogInterval < TimeSpan.FromSeconds(1))
            yield return new ValidationResult("Observability:BacklogInterval must be at least one second.");
    }
}

public sealed class MetricsOptions
{
    /// <summary>Serve the Prometheus scrape endpoint.</summary>
    public bool Enabled { get; set; } = true;

    public string Path { get; set; } = "/metrics";

    /// <summary>A separate management port for the scrape endpoint (and the health probes); null serves it on the
    /// service port. When set, the service port no longer answers the scrape path.</summary>
    public int? Port { get; set; }

    /// <summary>The address the management port binds (default loopback: the scraper runs beside the service).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Ask scrapers for an admin API key (off by default: Prometheus scrapes without credentials).</summary>
    public bool RequireKey { get; set; }
}

public enum QueryLogging
{
    Hash,
    Full,
    None,
}
