using System.Runtime.InteropServices;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;

namespace Quarry.AnnBench;

/// <summary>Exact scan vs HNSW on one vector set, single-threaded searches (as hnswlib-node's and usearch's
/// per-query calls are); writes the exact top 10 as truth.i32 for compare.mjs.</summary>
internal static class Comparison
{
    public const string Model = "bench";
    public static readonly TenantId Tenant = new("bench");
    private const int K = 10;

    public static List<VectorEntry> Entries(SyntheticVectors data)
    {
        var entries = new List<VectorEntry>(data.Count);
        VectorDocument? document = null;
        for (var i = 0; i < data.Count; i++)
        {
            // Ten chunks per document, as ingested text usually has several chunks per file.
            if (i % 10 == 0)
                document = new VectorDocument(new DocumentId($"d{i / 10}"), Tenant, new KnowledgeBaseId("kb"), $"file:///{i / 10}", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
            entries.Add(new VectorEntry(new ChunkId($"{i}"), document!, data.Vector(i)));
        }
        return entries;
    }

    public static InMemoryVectorIndex NewIndex(int dim, int threshold, int m = 16, int efConstruction = 100, bool parallel = false) => new(new VectorIndexOptions
    {
        Model = Model, Dimension = dim, ApproximateThreshold = threshold, HnswM = m, HnswEfConstruction = efConstruction,
        ParallelThreshold = parallel ? 16_384 : int.MaxValue,
    });

    public static async Task<(List<int[]> Results, double QueriesPerSecond)> SearchAllAsync(InMemoryVectorIndex index, SyntheticVectors data, int limit)
    {
        var filter = SearchFilter.ForTenant(Tenant);
        for (var q = 0; q < Math.Min(20, data.QueryCount); q++)
            await index.SearchAsync(new VectorSearchRequest(data.Query(q), Model, filter, limit), CancellationToken.None);
        var results = new List<int[]>(data.QueryCount);
        var queries = Enumerable.Range(0, data.QueryCount).Select(data.Query).ToList();
        var start = Timing.Cpu();
        foreach (var query in queries)
        {
            var hits = await index.SearchAsync(new VectorSearchRequest(query, Model, filter, limit), CancellationToken.None);
            results.Add(hits.Select(h => int.Parse(h.ChunkId.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        return (results, data.QueryCount / (Timing.Cpu() - start).TotalSeconds);
    }

    public static double Recall(List<int[]> truth, List<int[]> actual)
    {
        double found = 0, wanted = 0;
        for (var q = 0; q < truth.Count; q++)
        {
            var expected = truth[q].ToHashSet();
            found += actual[q].Count(expected.Contains);
            wanted += expected.Count;
        }
        return found / wanted;
    }

    public static async Task RunAsync(SyntheticVectors data, string dir, int[] efs, int m, int efConstruction)
    {
        var entries = Entries(data);
        Console.WriteLine($"# {data.Count:N0} vectors × {data.Dimension}, {data.QueryCount} queries, top {K}, M={m}, efConstruction={efConstruction}");

        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var exact = NewIndex(data.Dimension, int.MaxValue);
        var exactLoad = Timing.Milliseconds(() => exact.Upsert(entries));
        var exactBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var (truth, exactQps) = await SearchAllAsync(exact, data, K);
        await File.WriteAllBytesAsync(Path.Combine(dir, "truth.i32"), MemoryMarshal.AsBytes(truth.SelectMany(t => t).ToArray().AsSpan()).ToArray());
        Console.WriteLine($"| engine | setting | recall@10 | queries per CPU-second | build CPU s | bytes/vector (index only) |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        Console.WriteLine($"| Quarry exact scan | 1 thread | 1.000 | {exactQps:F0} | {exactLoad / 1000:F1} (load) | {exactBytes / (double)data.Count:F0} |");

        before = GC.GetTotalMemory(forceFullCollection: true);
        using var index = NewIndex(data.Dimension, threshold: 1, m, efConstruction);
        var annLoad = Timing.Milliseconds(() => index.Upsert(entries));
        var annBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var graphBytes = index.GraphBytes();
        foreach (var ef in efs)
        {
            SetEf(index, ef);
            var (results, qps) = await SearchAllAsync(index, data, K);
            Console.WriteLine($"| Quarry HNSW | ef={ef} | {Recall(truth, results):F3} | {qps:F0} | {(annLoad - exactLoad) / 1000:F1} (graph) | {annBytes / (double)data.Count:F0} (graph {graphBytes / (double)data.Count:F0}) |");
        }
        Console.WriteLine($"# exact top {K} written to {Path.Combine(dir, "truth.i32")}; load {Load.Average()}");
    }

    /// <summary>The index reads its options object at each search; the bench changes ef between runs.</summary>
    private static void SetEf(InMemoryVectorIndex index, int ef) => index.Options.HnswEfSearch = ef;
}
