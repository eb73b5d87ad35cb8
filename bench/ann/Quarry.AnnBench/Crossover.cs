namespace Quarry.AnnBench;

/// <summary>Where the graph starts to beat the exact scan: per size, the exact scan as deployed (parallel past
/// VectorIndex:ParallelThreshold) and single-threaded, against the graph at the default ef, with the hybrid search's
/// limit (Retrieval:CandidatesPerSearch, 100).</summary>
internal static class Crossover
{
    public static async Task RunAsync(int[] sizes, int dim, int queries, int seed, int limit)
    {
        Console.WriteLine($"# dimension {dim}, {queries} queries, limit {limit}, HNSW M=16 efConstruction=100 ef=max(64, limit)");
        Console.WriteLine("| vectors | exact CPU ms/query (as deployed) | exact CPU ms/query (1 thread) | HNSW CPU ms/query | HNSW recall@limit | exact (1 thread) / HNSW | graph build CPU s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            var (parallelMs, singleMs, annMs, recall, buildSeconds) = await MeasureAsync(SyntheticVectors.Create(n, dim, queries, seed), limit);
            Console.WriteLine($"| {n:N0} | {parallelMs:F2} | {singleMs:F2} | {annMs:F2} | {recall:F3} | {singleMs / annMs:F1}× | {buildSeconds:F1} |");
        }
        Console.WriteLine($"# load {Load.Average()}");
    }

    private static async Task<(double ParallelMs, double SingleMs, double AnnMs, double Recall, double BuildSeconds)> MeasureAsync(SyntheticVectors data, int limit)
    {
        var entries = Comparison.Entries(data);
        using var exact = Comparison.NewIndex(data.Dimension, int.MaxValue, parallel: true);
        var load = Timing.Milliseconds(() => exact.Upsert(entries));
        var (truth, parallelQps) = await Comparison.SearchAllAsync(exact, data, limit);
        using var single = Comparison.NewIndex(data.Dimension, int.MaxValue);
        single.Upsert(entries);
        var singleQps = (await Comparison.SearchAllAsync(single, data, limit)).QueriesPerSecond;
        using var ann = Comparison.NewIndex(data.Dimension, threshold: 1);
        var build = (Timing.Milliseconds(() => ann.Upsert(entries)) - load) / 1000;
        var (results, annQps) = await Comparison.SearchAllAsync(ann, data, limit);
        return (1000 / parallelQps, 1000 / singleQps, 1000 / annQps, Comparison.Recall(truth, results), build);
    }
}
