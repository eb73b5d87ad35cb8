using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Quarry.Diagnostics;

namespace Quarry.Cli.Hosting;

/// <summary>Sums the "quarry.stage.duration" histogram per stage, so --verbose can show where the time went.</summary>
internal sealed class StageTimings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (double TotalMs, long Count)> _stages = new(StringComparer.Ordinal);

    public StageTimings()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == QuarryTelemetry.Name && instrument.Name == "quarry.stage.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var stage = "?";
            foreach (var tag in tags)
            {
                if (tag.Key == "stage") stage = tag.Value?.ToString() ?? "?";
            }
            _stages.AddOrUpdate(stage, (value, 1), (_, current) => (current.TotalMs + value, current.Count + 1));
        });
        _listener.Start();
    }

    public void WriteTo(TextWriter writer)
    {
        foreach (var (stage, (total, count)) in _stages.OrderByDescending(s => s.Value.TotalMs))
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage,-24} {count,8} calls {total,10:F1} ms total {total / count,8:F3} ms each"));
    }

    public void Dispose() => _listener.Dispose();
}
