using System.Diagnostics;
using Quarry.Diagnostics;

namespace Quarry.Retrieval;

/// <summary>
/// The retrieval spans (<c>retrieval.keyword</c> and <c>retrieval.vector</c> are siblings: they run in parallel) and
/// <c>ai_retrieval_latency_ms</c>, recorded once under the search kind (keyword, vector, hybrid) and once under the
/// backend that ran it (e.g. <c>keyword.sqlite</c>, <c>vector.inmemory</c>), so a slow engine shows apart from a slow kind.
/// </summary>
internal readonly struct RetrievalTelemetry : IDisposable
{
    private readonly QuarryTelemetry.StageScope _stage;
    private readonly string? _index;
    private readonly string? _backend;
    private readonly long _started;

    private RetrievalTelemetry(string span, string? index, string? backend)
    {
        _stage = QuarryTelemetry.StartStage(span);
        _stage.Activity?.SetTag("quarry.retrieval.index", backend ?? index ?? "keyword");
        _index = index;
        _backend = backend;
        _started = Stopwatch.GetTimestamp();
    }

    public Activity? Activity => _stage.Activity;

    public static RetrievalTelemetry Search(string index, object engine) => new("retrieval." + index, index, index + "." + BackendName(engine));

    /// <summary>The whole retrieval; measured as <c>hybrid</c> when both searches run (keyword-only is already
    /// measured by its one search).</summary>
    public static RetrievalTelemetry Whole(bool hybrid) => new("retrieval", hybrid ? "hybrid" : null, null);

    public void Dispose()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
        if (_index is not null)
            AiMetrics.RetrievalLatency.Record(elapsed, new KeyValuePair<string, object?>(AiMetrics.Tags.Index, _index));
        if (_backend is not null)
            AiMetrics.RetrievalLatency.Record(elapsed, new KeyValuePair<string, object?>(AiMetrics.Tags.Index, _backend));
        _stage.Dispose();
    }

    // "SqliteStore" → "sqlite", "PostgresVectorIndex" → "postgres", "InMemoryVectorIndex" → "inmemory": the engine,
    // named without teaching Core any vendor.
    internal static string BackendName(object engine)
    {
        var name = engine.GetType().Name;
        foreach (var suffix in (string[])["VectorIndex", "KeywordIndex", "Store", "Index"])
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                break;
            }
        }
        return name.ToLowerInvariant();
    }
}
