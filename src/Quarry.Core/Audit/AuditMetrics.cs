using System.Diagnostics.Metrics;
using Quarry.Diagnostics;

namespace Quarry.Audit;

/// <summary>The audit trail's instruments on <see cref="QuarryTelemetry.Meter"/>. The failure and drop counters have
/// no unit so that the Prometheus exporter keeps their names exactly as written.</summary>
internal static class AuditMetrics
{
    public static Counter<long> WriteFailures { get; } = QuarryTelemetry.Meter.CreateCounter<long>(
        "audit_write_failures_total", description: "Audit appends that failed (each failed attempt of a batch).");

    public static Counter<long> Dropped { get; } = QuarryTelemetry.Meter.CreateCounter<long>(
        "audit_records_dropped_total", description: "Audit records lost: queue full, trail stopped, or given up after failed appends.");

    public static Histogram<double> CommitDelay { get; } = QuarryTelemetry.Meter.CreateHistogram<double>(
        "quarry.audit.commit_delay", unit: "ms", description: "From a record being queued to its batch being committed.");

    public static Histogram<double> AppendDuration { get; } = QuarryTelemetry.Meter.CreateHistogram<double>(
        "quarry.audit.append.duration", unit: "ms", description: "One batch append (one transaction).");
}
