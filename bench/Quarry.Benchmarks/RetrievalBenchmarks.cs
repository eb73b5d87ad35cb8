using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;
using Quarry.Storage;
using Quarry.Storage.Sqlite;

namespace Quarry.Benchmarks;

/// <summary>
/// Search over the <see cref="SyntheticCorpus"/> at 10k, 100k and 1M chunks (QUARRY_BENCH_CHUNKS): keyword (SQLite FTS5
/// BM25, top 10), exact float32 vector scan (top 10), int8 scan with exact re-scoring of 4 × 10, and hybrid retrieval
/// through the real <see cref="Retriever"/> (top 100 from each search in parallel, reciprocal-rank fusion, the top 10
/// hydrated from the store). An invocation runs 16 different queries by one stream or by two concurrent streams: the
/// time per operation is the latency of one query with Streams=1, and 1 ÷ throughput with Streams=2.
/// </summary>
[MemoryDiagnoser]
public class RetrievalBenchmarks
{
    private const int QueriesPerInvoke = 16;
    private const int TopK = 10;

    private SqliteStore? _store;
    private KnowledgeBase? _kb;
    private SearchFilter? _filter;
    private string[] _queries = [];
    private float[][] _queryVectors = [];
    private InMemoryVectorIndex? _index;
    private ServiceProvider? _services;
    private Retriever _retriever = null!;
    private int _next;

    [ParamsSource(nameof(Sizes))]
    public int Chunks { get; set; }

    public static IEnumerable<int> Sizes() => SyntheticCorpus.Sizes();

    [Params(1, 2)]
    public int Streams { get; set; }

    [GlobalSetup(Target = nameof(Keyword))]
    public Task SetupKeyword() => OpenCorpusAsync();

    [GlobalSetup(Target = nameof(VectorExact))]
    public void SetupExact() => BuildIndex(quantize: false);

    [GlobalSetup(Target = nameof(VectorInt8))]
    public void SetupInt8() => BuildIndex(quantize: true);

    [GlobalSetup(Target = nameof(Hybrid))]
    public async Task SetupHybrid()
    {
        await OpenCorpusAsync();
        BuildIndex(quantize: false);
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddQuarrySqliteStorage(o => o.DataDirectory = SyntheticCorpus.Directory(Chunks));
        services.AddSingleton<IEmbedder>(new PrecomputedEmbedder(_queries, _queryVectors));
        services.AddSingleton<IVectorIndex>(_index!);
        services.AddQuarryRetrieval();
        _services = services.BuildServiceProvider();
        _retriever = _services.GetRequiredService<Retriever>();
        var probe = await _retriever.RetrieveAsync(new RetrievalRequest(_queries[0], _filter!, TopK), CancellationToken.None);
        if (probe.Mode != "hybrid") throw new InvalidOperationException($"Hybrid setup runs {probe.Mode}: {probe.Degraded}");
    }

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "keyword (FTS5 BM25)")]
    public Task Keyword() => RunAsync(i => _store!.SearchAsync(new KeywordSearchRequest(_queries[i], _filter!, TopK), CancellationToken.None));

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "vector exact float32")]
    public Task VectorExact() => RunAsync(VectorSearch);

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "vector int8 + re-score")]
    public Task VectorInt8() => RunAsync(VectorSearch);

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "hybrid (Retriever, RRF)")]
    public Task Hybrid() => RunAsync(i => _retriever.RetrieveAsync(new RetrievalRequest(_queries[i], _filter!, TopK), CancellationToken.None));

    /// <summary>One hybrid query, for <see cref="HybridLatency"/> (which times queries one by one for percentiles).</summary>
    internal Task<RetrievalResult> HybridQuery(int i) =>
        _retriever.RetrieveAsync(new RetrievalRequest(_queries[i % _queries.Length], _filter!, TopK), CancellationToken.None);

    internal int QueryCount => _queries.Length;

    private Task<IReadOnlyList<VectorHit>> VectorSearch(int i) =>
        _index!.SearchAsync(new VectorSearchRequest(_queryVectors[i], SyntheticCorpus.Model, _filter!, TopK), CancellationToken.None);

    /// <summary>The next 16 queries, by <see cref="Streams"/> concurrent callers.</summary>
    private async Task RunAsync<T>(Func<int, Task<T>> search)
    {
        var first = _next;
        _next = (_next + QueriesPerInvoke) % _queries.Length;
        if (Streams == 1)
        {
            for (var q = 0; q < QueriesPerInvoke; q++) await search((first + q) % _queries.Length);
            return;
        }
        await Task.WhenAll(Enumerable.Range(0, Streams).Select(s => Task.Run(async () =>
        {
            for (var q = s; q < QueriesPerInvoke; q += Streams) await search((first + q) % _queries.Length);
        })));
    }

    private async Task OpenCorpusAsync()
    {
        (_store, _kb) = await SyntheticCorpus.OpenAsync(Chunks);
        _filter = SearchFilter.ForTenant(SyntheticCorpus.Tenant) with { KnowledgeBases = [_kb.Id] };
        _queries = SyntheticCorpus.Queries(128);
    }

    /// <summary>The corpus's chunk ids with seeded random vectors; the SQLite file is only needed for its ids.</summary>
    private void BuildIndex(bool quantize)
    {
        // Vector-only runs need no SQLite file: any knowledge base id will do.
        var kb = _kb ??= new KnowledgeBase(new KnowledgeBaseId("kb_bench"), SyntheticCorpus.Tenant, "bench", DateTimeOffset.UnixEpoch);
        _filter ??= SearchFilter.ForTenant(SyntheticCorpus.Tenant) with { KnowledgeBases = [kb.Id] };
        if (_queries.Length == 0) _queries = SyntheticCorpus.Queries(128);
        var random = new Random(4);
        _index = new InMemoryVectorIndex(new VectorIndexOptions { Model = SyntheticCorpus.Model, Dimension = SyntheticCorpus.Dimension, Quantize = quantize });
        var batch = new List<VectorEntry>(SyntheticCorpus.ChunksPerDocument);
        VectorDocument? document = null;
        foreach (var (documentId, chunk) in SyntheticCorpus.ChunkIds(kb, Chunks))
        {
            if (document?.Id != documentId)
            {
                _index.Upsert(batch);
                batch.Clear();
                document = new VectorDocument(documentId, SyntheticCorpus.Tenant, kb.Id, "bench://", EmptyTags.Instance, DateTimeOffset.UnixEpoch);
            }
            batch.Add(new VectorEntry(chunk, document, SyntheticCorpus.RandomVector(random)));
        }
        _index.Upsert(batch);
        _queryVectors = _queries.Select(_ => SyntheticCorpus.RandomVector(random)).ToArray();
        var scanned = (double)Chunks * SyntheticCorpus.Dimension * (quantize ? sizeof(sbyte) : sizeof(float));
        Console.WriteLine($"// {nameof(RetrievalBenchmarks)} Chunks={Chunks} {(quantize ? "int8" : "float32")}: {MemoryBandwidth.Describe(scanned)}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _index?.Dispose();
        _store?.Dispose();
    }

    /// <summary>Query vectors known in advance: the benchmark measures retrieval, not a model.</summary>
    private sealed class PrecomputedEmbedder(string[] queries, float[][] vectors) : IEmbedder
    {
        private readonly Dictionary<string, float[]> _byQuery = queries.Zip(vectors).GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.First().Second);

        public EmbeddingModel Model { get; } = new(SyntheticCorpus.Model, SyntheticCorpus.Dimension);

        public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>(texts.Select(t => (ReadOnlyMemory<float>)_byQuery[t]).ToList());
    }
}
