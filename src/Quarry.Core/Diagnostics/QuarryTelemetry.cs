using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Quarry.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> and one <see cref="Meter"/> of Quarry, both named "Quarry". Every stage starts
/// a span named after itself ("parse", "chunk", "store.upsert", …) and records its latency here.
/// </summary>
public static class QuarryTelemetry
{
    public const string Name = "Quarry";

    public static ActivitySource Source { get; } = new(Name);
    public static Meter Meter { get; } = new(Name);

    /// <summary>Duration of one pipeline stage, tagged with <c>stage</c>.</summary>
    public static Histogram<double> StageDuration { get; } =
        Meter.CreateHistogram<double>("quarry.stage.duration", unit: "ms", description: "Duration of one pipeline stage.");

    /// <summary>Documents processed by ingestion, tagged with <c>outcome</c> (created, replaced, unchanged, failed).</summary>
    public static Counter<long> DocumentsIngested { get; } =
        Meter.CreateCounter<long>("quarry.ingest.documents", description: "Documents processed by ingestion.");

    public static Counter<long> BytesIngested { get; } =
        Meter.CreateCounter<long>("quarry.ingest.bytes", unit: "By", description: "Source bytes read by ingestion.");

    public static Counter<long> ChunksWritten { get; } =
        Meter.CreateCounter<long>("quarry.ingest.chunks", description: "Chunks written by ingestion.");

    public static Counter<long> TokensChunked { get; } =
        Meter.CreateCounter<long>("quarry.chunk.tokens", description: "Tokens in chunks produced by the chunker.");

    /// <summary>Starts a span for a stage and returns a scope that records its duration when disposed.</summary>
    public static StageScope StartStage(string stage) => new(stage, Source.StartActivity(stage));

    public readonly struct StageScope : IDisposable
    {
        private readonly string _stage;
        private readonly long _started;

        internal StageScope(string stage, Activity? activity)
        {
            _stage = stage;
            Activity = activity;
            _started = Stopwatch.GetTimestamp();
        }

        public Activity? Activity { get; }

        public void Fail(Exception exception)
        {
            Activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            Activity?.AddException(exception);
        }

        public void Dispose()
        {
            StageDuration.Record(Stopwatch.GetElapsedTime(_started).TotalMilliseconds, new KeyValuePair<string, object?>("stage", _stage));
            Activity?.Dispose();
        }
    }
}
