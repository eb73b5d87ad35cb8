using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Quarry.Diagnostics;

namespace Quarry.Benchmarks;

/// <summary>
/// Hybrid retrieval latency per query at 100k chunks (the <see cref="RetrievalBenchmarks.Hybrid"/> setup: SQLite FTS5,
/// in-process vectors, the real <see cref="Retrieval.Retriever"/> with default options, top 10), timed one query at a
/// time for p50/p95, with the mean time of each Quarry stage (from the "Quarry" activity source) to show where it goes.
/// Run: dotnet artifacts/bin/Quarry.Benchmarks/release/Quarry.Benchmarks.dll hybrid-latency 100000 3
/// </summary>
internal static class HybridLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var chunks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var bench = new RetrievalBenchmarks { Chunks = chunks, Streams = 1 };
        await bench.SetupHybrid();
        try
        {
            for (var i = 0; i < bench.QueryCount; i++) await bench.HybridQuery(i);

            var stages = new Dictionary<string, (double Total, int Count)>(StringComparer.Ordinal);
            using var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == QuarryTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a =>
                {
                    lock (stages)
                    {
                        var (total, count) = stages.GetValueOrDefault(a.OperationName);
                        stages[a.OperationName] = (total + a.Duration.TotalMilliseconds, count + 1);
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);
            // Whether the n-gram profiles of the candidates stay cached decides most of that span's time.
            var cache = new Dictionary<string, long>(StringComparer.Ordinal);
            using var meters = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == QuarryTelemetry.Name && instrument.Name.StartsWith("quarry.retrieve.ngram_cache.", StringComparison.Ordinal))
                        l.EnableMeasurementEvents(instrument);
                },
            };
            meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                lock (cache) cache[instrument.Name] = cache.GetValueOrDefault(instrument.Name) + value;
            });
            meters.Start();

            var times = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                for (var i = 0; i < bench.QueryCount; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await bench.HybridQuery(i);
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            times.Sort();
            double Percentile(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
            Console.WriteLine($"hybrid at {chunks:N0} chunks, {times.Count} queries: p50 {Percentile(0.5):F2} ms, p95 {Percentile(0.95):F2} ms, mean {times.Average():F2} ms (load {load})");
            foreach (var (name, (total, count)) in stages.OrderByDescending(s => s.Value.Total))
                Console.WriteLine($"  {name,-28} {total / times.Count,8:F2} ms per query ({count / (double)times.Count:F1} per query)");
            foreach (var (name, value) in cache.OrderBy(c => c.Key, StringComparer.Ordinal))
                Console.WriteLine($"  {name,-36} {value / (double)times.Count,8:F1} per query");
            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
