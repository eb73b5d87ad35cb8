using BenchmarkDotNet.Attributes;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;

namespace Quarry.Benchmarks;

/// <summary>
/// Exact float32 and int8 search, top-10, dimension 384, over synthetic vectors; no filter and a filter that selects
/// 10% of the documents. An exact scan is memory-bound: compare the time per query with bytes scanned ÷ the
/// bandwidth measured in <see cref="GlobalSetup"/> (<see cref="MemoryBandwidth"/>).
/// </summary>
[MemoryDiagnoser]
public class VectorSearchBenchmarks
{
    private const int Dimension = SyntheticCorpus.Dimension;
    private const int ChunksPerDocument = 10;
    private const string Model = "bench";
    private static readonly TenantId Tenant = new("bench");

    private InMemoryVectorIndex _index = null!;
    private float[][] _queries = null!;
    private SearchFilter _filter = null!;
    private int _next;

    /// <summary>10k, 100k and 1M, or the comma-separated list in QUARRY_BENCH_VECTORS (1M needs ~2 GB and a minute to build).</summary>
    [ParamsSource(nameof(VectorCounts))]
    public int Vectors { get; set; }

    public static IEnumerable<int> VectorCounts() =>
        Environment.GetEnvironmentVariable("QUARRY_BENCH_VECTORS") is { Length: > 0 } list
            ? list.Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))
            : [10_000, 100_000, 1_000_000];

    [Params(false, true)]
    public bool Quantize { get; set; }

    [Params(false, true)]
    public bool Filtered { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        var random = new Random(42);
        _index = new InMemoryVectorIndex(new VectorIndexOptions { Model = Model, Dimension = Dimension, Quantize = Quantize });
        var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var tagged = new Dictionary<string, string> { ["dept"] = "legal" };
        var batch = new List<VectorEntry>(ChunksPerDocument * 100);
        for (var d = 0; d < Vectors / ChunksPerDocument; d++)
        {
            var document = new VectorDocument(new DocumentId($"doc{d}"), Tenant, new KnowledgeBaseId("kb"), $"file:///bench/doc{d}",
                d % 10 == 0 ? tagged : EmptyTags.Instance, epoch);
            for (var c = 0; c < ChunksPerDocument; c++) batch.Add(new VectorEntry(new ChunkId($"doc{d}_c{c}"), document, RandomVector(random)));
            if (batch.Count >= batch.Capacity)
            {
                _index.Upsert(batch);
                batch.Clear();
            }
        }
        _index.Upsert(batch);
        _queries = Enumerable.Range(0, 64).Select(_ => RandomVector(random)).ToArray();
        _filter = Filtered ? SearchFilter.ForTenant(Tenant) with { TagsAll = tagged } : SearchFilter.ForTenant(Tenant);

        var scanned = (long)(Filtered ? Vectors / 10 : Vectors) * Dimension * (Quantize ? sizeof(sbyte) : sizeof(float));
        Console.WriteLine($"// {nameof(VectorSearchBenchmarks)} Vectors={Vectors} Quantize={Quantize} Filtered={Filtered}: {MemoryBandwidth.Describe(scanned)}");
    }

    [Benchmark]
    public Task<IReadOnlyList<VectorHit>> Search() =>
        _index.SearchAsync(new VectorSearchRequest(_queries[_next++ & 63], Model, _filter, 10), CancellationToken.None);

    private static float[] RandomVector(Random random) => SyntheticCorpus.RandomVector(random);

    [GlobalCleanup]
    public void GlobalCleanup() => _index.Dispose();
}
