using System.Globalization;
using Npgsql;
using Quarry.Documents;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres.Tests.TestSupport;

/// <summary>A document of the test data; <see cref="Chunks"/> are filled in by <see cref="VectorTestData.AddDocumentsAsync"/>.</summary>
public sealed record TestDocument(string Id, string KnowledgeBase, string SourceUri, DateTimeOffset UpdatedAt, IReadOnlyDictionary<string, string> Tags)
{
    public List<TestChunk> Chunks { get; } = [];
}

public sealed record TestChunk(long RowId, string Id, TestDocument Document);

/// <summary>
/// Rows written straight into knowledge_bases, documents, document_tags, chunks and embeddings (schema 0001), so that
/// the vector index is tested on its own; and the brute-force cosine ranking the index must agree with.
/// </summary>
internal static class VectorTestData
{
    public static string NewTenant() => "t_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task AddKnowledgeBaseAsync(NpgsqlConnection connection, string tenant, string kb)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO knowledge_bases (id, tenant_id, name, created_at) VALUES (@id, @tenant, @id, now());", connection);
        command.Parameters.AddWithValue("id", kb);
        command.Parameters.AddWithValue("tenant", tenant);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Inserts the documents with <paramref name="chunksPerDocument"/> chunks each (knowledge bases must exist).</summary>
    public static async Task<List<TestChunk>> AddDocumentsAsync(NpgsqlConnection connection, string tenant, IReadOnlyList<TestDocument> documents, int chunksPerDocument)
    {
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version, created_at, updated_at) " +
            "SELECT @tenant, u.id, u.kb, u.uri, u.id, 'text/plain', 1, 'x', 1, u.updated, u.updated " +
            "FROM unnest(@ids, @kbs, @uris, @updated) AS u(id, kb, uri, updated);", connection))
        {
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("ids", documents.Select(d => d.Id).ToArray());
            insert.Parameters.AddWithValue("kbs", documents.Select(d => d.KnowledgeBase).ToArray());
            insert.Parameters.AddWithValue("uris", documents.Select(d => d.SourceUri).ToArray());
            insert.Parameters.AddWithValue("updated", documents.Select(d => d.UpdatedAt).ToArray());
            await insert.ExecuteNonQueryAsync();
        }
        var tags = documents.SelectMany(d => d.Tags.Select(t => (Doc: d.Id, t.Key, t.Value))).ToList();
        if (tags.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO document_tags (tenant_id, doc_id, key, value) SELECT @tenant, u.d, u.k, u.v FROM unnest(@docs, @keys, @values) AS u(d, k, v);", connection);
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("docs", tags.Select(t => t.Doc).ToArray());
            insert.Parameters.AddWithValue("keys", tags.Select(t => t.Key).ToArray());
            insert.Parameters.AddWithValue("values", tags.Select(t => t.Value).ToArray());
            await insert.ExecuteNonQueryAsync();
        }

        var planned = documents.SelectMany(d => Enumerable.Range(0, chunksPerDocument).Select(o => (Document: d, Ordinal: o, Id: $"{d.Id}_c{o}"))).ToList();
        var byId = planned.ToDictionary(p => p.Id);
        var chunks = new List<TestChunk>(planned.Count);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO chunks (id, tenant_id, doc_id, kb_id, version, ordinal, text, title, source_uri, token_count, checksum, span_start, span_end, created_at, updated_at) " +
            "SELECT u.id, @tenant, u.doc, u.kb, 1, u.ord, 'text', 'title', u.uri, 1, 'x', 0, 1, now(), now() " +
            "FROM unnest(@ids, @docs, @kbs, @ords, @uris) AS u(id, doc, kb, ord, uri) RETURNING row_id, id;", connection))
        {
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("ids", planned.Select(p => p.Id).ToArray());
            insert.Parameters.AddWithValue("docs", planned.Select(p => p.Document.Id).ToArray());
            insert.Parameters.AddWithValue("kbs", planned.Select(p => p.Document.KnowledgeBase).ToArray());
            insert.Parameters.AddWithValue("ords", planned.Select(p => p.Ordinal).ToArray());
            insert.Parameters.AddWithValue("uris", planned.Select(p => p.Document.SourceUri).ToArray());
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var p = byId[reader.GetString(1)];
                var chunk = new TestChunk(reader.GetInt64(0), p.Id, p.Document);
                p.Document.Chunks.Add(chunk);
                chunks.Add(chunk);
            }
        }
        return chunks;
    }

    /// <summary>Stores one vector per chunk for <paramref name="model"/>, in batches (one statement per batch).</summary>
    public static async Task AddEmbeddingsAsync(NpgsqlConnection connection, string model, IReadOnlyList<(long RowId, float[] Vector)> vectors)
    {
        const int Batch = 500;
        for (var start = 0; start < vectors.Count; start += Batch)
        {
            var part = vectors.Skip(start).Take(Batch).ToList();
            var dimension = part[0].Vector.Length;
            await using var insert = new NpgsqlCommand(
                "INSERT INTO embeddings (chunk_row_id, model, dimension, vector, created_at) " +
                "SELECT u.r, @model, @dimension, @flat[(u.n - 1) * @dimension + 1 : u.n * @dimension], now() " +
                "FROM unnest(@rows) WITH ORDINALITY AS u(r, n);", connection);
            insert.Parameters.AddWithValue("model", model);
            insert.Parameters.AddWithValue("dimension", dimension);
            insert.Parameters.AddWithValue("rows", part.Select(p => p.RowId).ToArray());
            insert.Parameters.AddWithValue("flat", part.SelectMany(p => p.Vector).ToArray());
            await insert.ExecuteNonQueryAsync();
        }
    }

    public static float[] RandomVector(Random random, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < v.Length; i++)
            v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>The true top <paramref name="k"/> among <paramref name="candidates"/>.</summary>
    public static List<(string ChunkId, double Score)> BruteForce(float[] query, IEnumerable<(string ChunkId, float[] Vector)> candidates, int k) =>
        candidates.Select(c => (c.ChunkId, Score: Cosine(query, c.Vector)))
            .OrderByDescending(c => c.Score).ThenBy(c => c.ChunkId, StringComparer.Ordinal).Take(k).ToList();

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static VectorSearchRequest Request(float[] query, string model, Quarry.Retrieval.SearchFilter filter, int limit) =>
        new(query, model, filter, limit);

    public static IReadOnlyList<string> Ids(IReadOnlyList<VectorHit> hits) => hits.Select(h => h.ChunkId.Value).ToList();
}
