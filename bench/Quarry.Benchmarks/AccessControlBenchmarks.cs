using BenchmarkDotNet.Attributes;
using Quarry.Access;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;
using Quarry.Storage.Sqlite;

namespace Quarry.Benchmarks;

/// <summary>
/// The cost of document access lists inside the ranking query, for a caller in 1, 50 or 500 groups, against the same
/// search without access lists (Groups = 0: the admin/bypass scope, no condition at all). Over the
/// <see cref="SyntheticCorpus"/> (QUARRY_BENCH_CHUNKS, 100k by default here), each document gets an access list once:
/// 30% open, the others 1-3 of 2,000 groups. Keyword is SQLite FTS5 BM25 top 10; vector is the in-process exact scan
/// top 10, whose documents carry the same lists.
/// </summary>
[MemoryDiagnoser]
public class AccessControlBenchmarks
{
    private const int QueriesPerInvoke = 16;
    private const int TopK = 10;
    private const int AllGroups = 2_000;

    private SqliteStore _store = null!;
    private KnowledgeBase _kb = null!;
    private InMemoryVectorIndex _index = null!;
    private SearchFilter _filter = null!;
    private string[] _queries = [];
    private float[][] _vectors = [];
    private int _next;

    [Params(0, 1, 50, 500)]
    public int Groups { get; set; }

    public static int Chunks =>
        Environment.GetEnvironmentVariable("QUARRY_BENCH_CHUNKS") is { Length: > 0 } value ? int.Parse(value.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        (_store, _kb) = await SyntheticCorpus.OpenAsync(Chunks);
        var random = new Random(500);
        var lists = new Dictionary<DocumentId, IReadOnlyList<string>>();
        foreach (var document in SyntheticCorpus.ChunkIds(_kb, Chunks).Select(c => c.Document).Distinct())
        {
            IReadOnlyList<string> allow = random.NextDouble() < 0.3
                ? []
                : AccessList.Normalize(Enumerable.Range(0, random.Next(1, 4)).Select(_ => "group:g" + random.Next(AllGroups))).Allow!;
            // Idempotent: a rerun writes the same lists (same seed) to the cached corpus.
            await _store.SetDocumentAccessAsync(SyntheticCorpus.Tenant, document, allow, CancellationToken.None);
            lists[document] = allow;
        }

        var scope = Groups == 0
            ? AccessScope.Everything
            : AccessScope.For("bench-user", Enumerable.Range(0, AllGroups).OrderBy(_ => random.Next()).Take(Groups).Select(g => "g" + g));
        _filter = SearchFilter.ForTenant(SyntheticCorpus.Tenant) with { KnowledgeBases = [_kb.Id], Access = scope };
        _queries = SyntheticCorpus.Queries(128);

        var vectors = new Random(4);
        _index = new InMemoryVectorIndex(new VectorIndexOptions { Model = SyntheticCorpus.Model, Dimension = SyntheticCorpus.Dimension });
        foreach (var group in SyntheticCorpus.ChunkIds(_kb, Chunks).GroupBy(c => c.Document))
        {
            var document = new VectorDocument(group.Key, SyntheticCorpus.Tenant, _kb.Id, "bench://", EmptyTags.Instance, DateTimeOffset.UnixEpoch, lists[group.Key]);
            _index.Upsert(group.Select(c => new VectorEntry(c.Chunk, document, SyntheticCorpus.RandomVector(vectors))).ToList());
        }
        _vectors = Enumerable.Range(0, 128).Select(_ => SyntheticCorpus.RandomVector(vectors)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _store.Dispose();
    }

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "keyword (FTS5 BM25) top 10")]
    public async Task Keyword()
    {
        for (var q = 0; q < QueriesPerInvoke; q++)
            await _store.SearchAsync(new KeywordSearchRequest(_queries[Next()], _filter, TopK), CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = QueriesPerInvoke, Description = "vector exact, in-process, top 10")]
    public async Task Vector()
    {
        for (var q = 0; q < QueriesPerInvoke; q++)
            await _index.SearchAsync(new VectorSearchRequest(_vectors[Next()], SyntheticCorpus.Model, _filter, TopK), CancellationToken.None);
    }

    private int Next() => _next = (_next + 1) % _queries.Length;
}
