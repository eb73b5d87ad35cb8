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
}
