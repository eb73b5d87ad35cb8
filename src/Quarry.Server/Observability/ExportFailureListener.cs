using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using Quarry.Diagnostics;

namespace Quarry.Server.Observability;

/// <summary>
/// Counts what the OTLP exporter reports through its event source when it cannot deliver (collector down, refusing,
/// slow), as <c>quarry_trace_export_failures_total</c>, so an outage shows up as a number instead of silence. The
/// exporter's batch processor already keeps requests apart from the collector: spans are queued, exported in the
/// background, and dropped when delivery fails.
/// </summary>
internal sealed class ExportFailureListener : EventListener
{
    private const string ExporterSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    private static readonly Counter<long> Failures =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.trace.export.failures", description: "Trace export attempts the OTLP exporter reported as failed.");

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // A refused connection is reported as a Warning (TransientHttpError), a failed export as an Error.
        if (eventSource.Name == ExporterSource) EnableEvents(eventSource, EventLevel.Warning);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name == ExporterSource && eventData.Level <= EventLevel.Warning)
            Failures.Add(1, new KeyValuePair<string, object?>("event", eventData.EventName ?? eventData.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
