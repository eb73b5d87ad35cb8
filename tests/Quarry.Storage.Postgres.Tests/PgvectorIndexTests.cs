using Npgsql;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using Quarry.Storage.Postgres.Tests.TestSupport;
using static Quarry.Storage.Postgres.Tests.TestSupport.VectorTestData;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>
/// <see cref="PostgresVectorIndex"/> on a real PostgreSQL with pgvector (PGlite unless QUARRY_TEST_PGVECTOR names a
/// server). Rows are written with SQL (schema 0001), and every ranking is checked against brute force in C#.
/// </summary>
[Collection(PgvectorCollection.Name)]
public sealed class PgvectorIndexTests(PgvectorFixture fixture)
{
    private const int Dimension = 48;
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Corpus(string Tenant, string Model, List<TestDocument> Documents, List<TestChunk> Chunks, Dictionary<string, float[]> Vectors)
    {
        public IEnumerable<(string ChunkId, float[] Vector)> Where(Func<TestDocument, bool> keep) =>
            Chunks.Where(c => keep(c.Document)).Select(c => (c.Id, Vectors[c.Id]));
    }

    /// <summary>40 documents × 10 chunks in two knowledge bases; every 10th document tagged dept=legal, every 4th under
    /// file:///share/hr/, updated one day apart.</summary>
    private async Task<Corpus> SeedAsync(int seed, int documents = 40, int chunksPerDocument = 10, string? model = null, string? tenant = null)
    {
        tenant ??= NewTenant();
        model ??= "model-" + Guid.NewGuid().ToString("N")[..8];
        var docs = Enumerable.Range(0, documents).Select(d => new TestDocument(
            $"{tenant}_d{d}",
            d % 2 == 0 ? $"{tenant}_kb_a" : $"{tenant}_kb_b",
            d % 4 == 0 ? $"file:///share/hr/doc{d}.txt" : $"file:///share/eng/doc{d}.txt",
            Epoch.AddDays(d),
            d % 10 == 0 ? new Dictionary<string, string> { ["dept"] = "legal" } : new Dictionary<string, string> { ["dept"] = "eng" })).ToList();
        var random = new Random(seed);
        await using var connection = await fixture.Database.OpenAsync(CancellationToken.None);
        await AddKnowledgeBaseAsync(connection, tenant, $"{tenant}_kb_a");
        await AddKnowledgeBaseAsync(connection, tenant, $"{tenant}_kb_b");
        var chunks = await AddDocumentsAsync(connection, tenant, docs, chunksPerDocument);
        var vectors = chunks.ToDictionary(c => c.Id, _ => RandomVector(random, Dimension));
        await AddEmbeddingsAsync(connection, model, chunks.Select(c => (c.RowId, vectors[c.Id])).ToList());
        await AnalyzeAsync(connection);
        return new Corpus(tenant, model, docs, chunks, vectors);
    }

    private static async Task AnalyzeAsync(NpgsqlConnection connection)
    {
        await using var analyze = new NpgsqlCommand("ANALYZE embeddings; ANALYZE chunks; ANALYZE documents; ANALYZE document_tags;", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private Task<IReadOnlyList<VectorHit>> SearchAsync(float[] query, string model, SearchFilter filter, int limit, VectorSearchMode mode) =>
        fixture.Index.SearchAsync(new VectorSearchRequest(query, model, filter, limit), mode, CancellationToken.None);

    private async Task<long> IndexScansAsync(string model, int dimension)
    {
        await using var connection = await fixture.Database.OpenAsync(CancellationToken.None);
        await using (var flush = new NpgsqlCommand("SELECT pg_stat_force_next_flush();", connection))
            await flush.ExecuteNonQueryAsync();
        await using var scans = new NpgsqlCommand("SELECT coalesce(sum(idx_scan), -1) FROM pg_stat_user_indexes WHERE indexrelname = @name;", connection);
        scans.Parameters.AddWithValue("name", PgvectorIndexes.IndexName(model, dimension));
        return Convert.ToInt64(await scans.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Exact_search_is_the_brute_force_ranking_and_hnsw_recalls_it()
    {
        var corpus = await SeedAsync(seed: 1);
        var filter = SearchFilter.ForTenant(new TenantId(corpus.Tenant));
        var random = new Random(100);
        double found = 0, wanted = 0;
        var scansBefore = await IndexScansAsync(corpus.Model, Dimension);
        for (var q = 0; q < 10; q++)
        {
            var query = RandomVector(random, Dimension);
            var truth = BruteForce(query, corpus.Where(_ => true), 10);

            var exact = await SearchAsync(query, corpus.Model, filter, 10, VectorSearchMode.Exact);
            Ids(exact).Should().Equal(truth.Select(t => t.ChunkId));
            exact.Select(h => h.Score).Should().Equal(truth.Select(t => t.Score), (a, b) => Math.Abs(a - b) < 1e-5);
            exact.Should().OnlyContain(h => h.DocumentId.Value == corpus.Chunks.Single(c => c.Id == h.ChunkId.Value).Document.Id);

            var hnsw = await SearchAsync(query, corpus.Model, filter, 10, VectorSearchMode.Hnsw);
            hnsw.Should().HaveCount(10);
            hnsw.Select(h => h.Score).Should().BeInDescendingOrder();
            found += Ids(hnsw).Intersect(truth.Select(t => t.ChunkId)).Count();
            wanted += truth.Count;
        }
        (found / wanted).Should().BeGreaterThanOrEqualTo(0.95, "recall@10 of HNSW against the exact ranking");
        // The approximate searches really went through the model's HNSW index (and the exact ones could not).
        (await IndexScansAsync(corpus.Model, Dimension)).Should().BeGreaterThanOrEqualTo(scansBefore + 10);
    }

    public static TheoryData<string, bool> FilterCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { "tenant", "knowledge-base", "documents", "tags-all", "tags-any", "source-prefix", "updated-range", "selective" })
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Filters_are_applied_before_ranking(string name, bool hnsw)
    {
        var mode = hnsw ? VectorSearchMode.Hnsw : VectorSearchMode.Exact;
        var corpus = await SeedAsync(seed: 2);
        var other = await SeedAsync(seed: 3, documents: 4, model: corpus.Model);
        var tenant = new TenantId(corpus.Tenant);
        var kbA = $"{corpus.Tenant}_kb_a";
        var (filter, keep) = name switch
        {
            "tenant" => (SearchFilter.ForTenant(tenant), (Func<TestDocument, bool>)(_ => true)),
            "knowledge-base" => (new SearchFilter { Tenant = tenant, KnowledgeBases = [new KnowledgeBaseId(kbA)] }, d => d.KnowledgeBase == kbA),
            "documents" => (new SearchFilter { Tenant = tenant, Documents = [new DocumentId(corpus.Documents[3].Id), new DocumentId(corpus.Documents[7].Id)] },
                d => d == corpus.Documents[3] || d == corpus.Documents[7]),
            "tags-all" => (new SearchFilter { Tenant = tenant, TagsAll = new Dictionary<string, string> { ["dept"] = "legal" } }, d => d.Tags["dept"] == "legal"),
            "tags-any" => (new SearchFilter { Tenant = tenant, TagsAny = [new("dept", "legal"), new("dept", "sales")] }, d => d.Tags["dept"] == "legal"),
            "source-prefix" => (new SearchFilter { Tenant = tenant, SourcePrefix = "file:///share/hr/" }, d => d.SourceUri.StartsWith("file:///share/hr/", StringComparison.Ordinal)),
            "updated-range" => (new SearchFilter { Tenant = tenant, UpdatedFrom = Epoch.AddDays(5), UpdatedTo = Epoch.AddDays(9) },
                d => d.UpdatedAt >= Epoch.AddDays(5) && d.UpdatedAt <= Epoch.AddDays(9)),
            // 4 of 40 documents (10 chunks each) in a knowledge base with a tag: 1 in 10 of the tenant's vectors.
            "selective" => (new SearchFilter { Tenant = tenant, KnowledgeBases = [new KnowledgeBaseId(kbA)], TagsAll = new Dictionary<string, string> { ["dept"] = "legal" } },
                d => d.KnowledgeBase == kbA && d.Tags["dept"] == "legal"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        // The query is a vector the filter excludes: unfiltered, it would be the first result with similarity 1.
        var excluded = name == "tenant"
            ? other.Chunks[0].Id
            : corpus.Chunks.First(c => !keep(c.Document)).Id;
        var query = name == "tenant" ? other.Vectors[excluded] : corpus.Vectors[excluded];
        var truth = BruteForce(query, corpus.Where(keep), 10);
        truth.Should().HaveCount(10, "every case keeps at least 10 chunks");

        var hits = await SearchAsync(query, corpus.Model, filter, 10, mode);

        Ids(hits).Should().NotContain(excluded);
        hits.Should().HaveCount(10, "the filter keeps enough vectors for the limit");
        var kept = corpus.Where(keep).Select(c => c.ChunkId).ToHashSet();
        Ids(hits).Should().OnlyContain(id => kept.Contains(id));
        if (mode == VectorSearchMode.Exact)
            Ids(hits).Should().Equal(truth.Select(t => t.ChunkId));
        else
            Ids(hits).Intersect(truth.Select(t => t.ChunkId)).Count().Should().BeGreaterThanOrEqualTo(9, "recall@10 of the filtered HNSW search");
    }

    [Fact]
    public async Task Vectors_of_other_models_and_dimensions_are_never_compared()
    {
        var corpus = await SeedAsync(seed: 4, documents: 10);
        var tenant = SearchFilter.ForTenant(new TenantId(corpus.Tenant));
        var random = new Random(5);
        var modelB = corpus.Model + "-b";
        var small = corpus.Model + "-small";
        var vectorsB = corpus.Chunks.ToDictionary(c => c.Id, _ => RandomVector(random, Dimension));
        var vectorsSmall = corpus.Chunks.ToDictionary(c => c.Id, _ => RandomVector(random, 24));
        await using (var connection = await fixture.Database.OpenAsync(CancellationToken.None))
        {
            await AddEmbeddingsAsync(connection, modelB, corpus.Chunks.Select(c => (c.RowId, vectorsB[c.Id])).ToList());
            await AddEmbeddingsAsync(connection, small, corpus.Chunks.Select(c => (c.RowId, vectorsSmall[c.Id])).ToList());
        }
        // The query is model B's vector of one chunk: under model A that chunk is just another random vector.
        var target = corpus.Chunks[17].Id;
        var query = vectorsB[target];

        foreach (var mode in new[] { VectorSearchMode.Exact, VectorSearchMode.Hnsw })
        {
            var underA = await SearchAsync(query, corpus.Model, tenant, 5, mode);
            Ids(underA).Should().Equal(BruteForce(query, corpus.Where(_ => true), 5).Select(t => t.ChunkId));
            var underB = await SearchAsync(query, modelB, tenant, 5, mode);
            underB[0].ChunkId.Value.Should().Be(target);
            underB[0].Score.Should().BeApproximately(1, 1e-5);
            Ids(underB).Should().Equal(BruteForce(query, vectorsB.Select(p => (p.Key, p.Value)), 5).Select(t => t.ChunkId));

            var smallQuery = vectorsSmall[target];
            var underSmall = await SearchAsync(smallQuery, small, tenant, 5, mode);
            Ids(underSmall).Should().Equal(BruteForce(smallQuery, vectorsSmall.Select(p => (p.Key, p.Value)), 5).Select(t => t.ChunkId));
            // Model A has no 24-dimensional vectors, and a 24-dimensional query is never compared with its 48-dimensional ones.
            (await SearchAsync(smallQuery, corpus.Model, tenant, 5, mode)).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Replicas_creating_the_same_index_at_once_all_succeed_with_one_index()
    {
        var corpus = await SeedAsync(seed: 6, documents: 10);
        var filter = SearchFilter.ForTenant(new TenantId(corpus.Tenant));
        var query = RandomVector(new Random(7), Dimension);
        var replicas = Enumerable.Range(0, 4).Select(_ => new PostgresVectorIndex(
            fixture.Database, new PgvectorIndexes(fixture.Database), new Lazy<IVectorIndex?>(() => null),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresVectorIndex>.Instance)).ToList();

        var results = await Task.WhenAll(replicas.SelectMany(r => new[] { r, r }).Select(r => Task.Run(() =>
            r.SearchAsync(new VectorSearchRequest(query, corpus.Model, filter, 10), VectorSearchMode.Hnsw, CancellationToken.None))));

        results.Should().AllSatisfy(hits => Ids(hits).Should().Equal(Ids(results[0])));
        results[0].Should().HaveCount(10);
        await using var connection = await fixture.Database.OpenAsync(CancellationToken.None);
        await using var indexes = new NpgsqlCommand(
            "SELECT count(*), bool_and(i.indisvalid) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = @name;", connection);
        indexes.Parameters.AddWithValue("name", PgvectorIndexes.IndexName(corpus.Model, Dimension));
        await using var reader = await indexes.ExecuteReaderAsync();
        await reader.ReadAsync();
        reader.GetInt64(0).Should().Be(1);
        reader.GetBoolean(1).Should().BeTrue();
    }

    [Fact]
    public async Task A_model_id_with_quotes_and_semicolons_is_data()
    {
        const string hostile = "m'); DROP TABLE embeddings; -- \\' \"x\" $$ ;";
        var corpus = await SeedAsync(seed: 8, documents: 10, model: hostile);
        // A model whose id is a prefix of the hostile one holds other vectors: they must not be searched under it.
        var plain = await SeedAsync(seed: 9, documents: 2, model: "m", tenant: corpus.Tenant + "_p");
        var filter = SearchFilter.ForTenant(new TenantId(corpus.Tenant));
        var query = RandomVector(new Random(10), Dimension);
        var truth = BruteForce(query, corpus.Where(_ => true), 10).Select(t => t.ChunkId);
        var scansBefore = Math.Max(0, await IndexScansAsync(hostile, Dimension));

        var hits = await SearchAsync(query, hostile, filter, 10, VectorSearchMode.Hnsw);

        Ids(hits).Intersect(truth).Count().Should().BeGreaterThanOrEqualTo(9);
        (await IndexScansAsync(hostile, Dimension)).Should().BeGreaterThan(scansBefore, "the hostile model's own partial index served the search");
        await using var connection = await fixture.Database.OpenAsync(CancellationToken.None);
        await using var definition = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE indexname = @name;", connection);
        definition.Parameters.AddWithValue("name", PgvectorIndexes.IndexName(hostile, Dimension));
        var ddl = (string)(await definition.ExecuteScalarAsync())!;
        ddl.Should().Contain("WHERE ((model = 'm''); DROP TABLE embeddings;");
        await using var count = new NpgsqlCommand("SELECT count(*) FROM embeddings WHERE model = @model;", connection);
        count.Parameters.AddWithValue("model", hostile);
        ((long)(await count.ExecuteScalarAsync())!).Should().Be(corpus.Chunks.Count, "the table is still there with the vectors");
        plain.Chunks.Should().NotBeEmpty();
    }

    [Fact]
    public async Task The_search_method_follows_the_candidate_count()
    {
        var corpus = await SeedAsync(seed: 11, documents: 10);
        var request = new VectorSearchRequest(RandomVector(new Random(12), Dimension), corpus.Model, SearchFilter.ForTenant(new TenantId(corpus.Tenant)), 5);
        var methods = new List<string?>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == Quarry.Diagnostics.QuarryTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                if (a.OperationName == "store.vector_search")
                    lock (methods) methods.Add(a.GetTagItem("quarry.vector.method") as string);
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var options = fixture.Database.Options;
        var threshold = options.ExactSearchBelow;
        try
        {
            options.ExactSearchBelow = corpus.Chunks.Count + 1;
            var exact = await fixture.Index.SearchAsync(request, CancellationToken.None);
            options.ExactSearchBelow = corpus.Chunks.Count;
            var approximate = await fixture.Index.SearchAsync(request, CancellationToken.None);
            Ids(approximate).Should().Equal(Ids(exact));
        }
        finally
        {
            options.ExactSearchBelow = threshold;
        }
        lock (methods)
            methods.Should().Equal("exact", "hnsw");
    }

    [Fact]
    public async Task A_zero_limit_or_a_zero_vector_finds_nothing()
    {
        var corpus = await SeedAsync(seed: 13, documents: 2);
        var filter = SearchFilter.ForTenant(new TenantId(corpus.Tenant));
        (await fixture.Index.SearchAsync(new VectorSearchRequest(RandomVector(new Random(1), Dimension), corpus.Model, filter, 0), CancellationToken.None)).Should().BeEmpty();
        (await fixture.Index.SearchAsync(new VectorSearchRequest(new float[Dimension], corpus.Model, filter, 5), CancellationToken.None)).Should().BeEmpty();
    }
}
