using System.Diagnostics.Metrics;
using Quarry.Diagnostics;

namespace Quarry.Vectorizing;

/// <summary>The background stage's instruments, on Quarry's one meter.</summary>
internal static class VectorizingTelemetry
{
    private static long _backlog;

    public static readonly Counter<long> ChunksEmbedded =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.vectorize.chunks", description: "Chunks whose vectors were filled in after they were stored.");

    /// <summary>Read by the meter when it collects: the chunks the last sweep found without vectors.</summary>
    private static readonly ObservableGauge<long> Backlog = QuarryTelemetry.Meter.CreateObservableGauge(
        "quarry.embedding.backlog", () => Volatile.Read(ref _backlog), unit: "{chunk}", description: "Chunks stored without the vectors the background stage will fill in.");

    public static void SetBacklog(long chunks)
    {
        _ = Backlog;
        Volatile.Write(ref _backlog, chunks);
    }
}
