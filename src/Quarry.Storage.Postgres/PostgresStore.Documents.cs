using System.Runtime.CompilerServices;
using Npgsql;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>Reads of documents and chunks, document deletes and vectors stored after the fact. Every read of one
/// document is a single statement, so it sees one snapshot: a concurrent replace is seen entirely or not at all.</summary>
internal sealed partial class PostgresStore
{
    public async Task<string?> GetChecksumAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT checksum FROM documents WHERE tenant_id = @tenant AND id = @doc;")
            .Arg("tenant", tenant.Value).Arg("doc", document.Value);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task<bool> DeleteDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken) =>
        WriteInStageAsync("store.delete", async (connection, transaction, ct) =>
        {
            // Versions, tags, chunks (with their full-text entries) and embeddings go by ON DELETE CASCADE. An upsert of
            // this document in flight holds its row: the delete waits for it and then removes the version it wrote.
            // Its children (an email's attachments) go with it, their jobs fenced like its own.
            await CancelJobsAsync(connection, transaction, tenant, "doc_id", document.Value, "the document was deleted", ct);
            var removed = new List<string>();
            await using (var children = connection.Command("DELETE FROM documents WHERE tenant_id = @tenant AND parent_id = @doc RETURNING id;", transaction)
                .Arg("tenant", tenant.Value).Arg("doc", document.Value))
            await using (var reader = await children.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) removed.Add(reader.GetString(0));
            }
            foreach (var child in removed)
                await CancelJobsAsync(connection, transaction, tenant, "doc_id", child, "its parent document was deleted", ct);
            await using var delete = connection.Command("DELETE FROM documents WHERE tenant_id = @tenant AND id = @doc;", transaction)
                .Arg("tenant", tenant.Value).Arg("doc", document.Value);
            var deleted = await delete.ExecuteNonQueryAsync(ct) > 0;
            if (deleted) removed.Add(document.Value);
            await RecordChangesAsync(connection, transaction, tenant, [.. removed], ct);
            return deleted;
        }, cancellationToken);

    public async Task<DocumentRecord?> GetDocumentAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(DocumentRows.DocumentColumns + " WHERE d.tenant_id = @tenant AND d.id = @doc;")
            .Arg("tenant", tenant.Value).Arg("doc", document.Value);
        return (await DocumentRows.ReadAllAsync(command, DocumentRows.Document, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<DocumentVersionInfo>> GetVersionsAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT version, checksum, size_bytes, chunk_count, created_at FROM document_versions
            WHERE tenant_id = @tenant AND doc_id = @doc ORDER BY version;
            """).Arg("tenant", tenant.Value).Arg("doc", document.Value);
        return await DocumentRows.ReadAllAsync(command,
            r => new DocumentVersionInfo(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)),
            cancellationToken);
    }

    public async Task<DocumentPage> ListDocumentsAsync(DocumentListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);

        var filters = new PostgresFilters();
        if (query.KnowledgeBase is { } kb)
            filters.Condition("d.kb_id = @kb", new NpgsqlParameter<string>("kb", kb.Value));
        if (query.Parent is { } parent)
            filters.Condition("d.parent_id = @parent", new NpgsqlParameter<string>("parent", parent.Value));
        filters.SourcePrefix("d.source_uri", query.SourcePrefix);
        filters.TagsAll("d", query.Tags);
        if (!string.IsNullOrEmpty(query.Contains))
        {
            // strpos rather than LIKE: '%' and '_' typed in a search box are text, not wildcards.
            filters.Condition("(strpos(lower(d.title), @contains) > 0 OR strpos(lower(d.source_uri), @contains) > 0)",
                new NpgsqlParameter<string>("contains", query.Contains.ToLowerInvariant()));
        }
        filters.Access("d", query.Access);
        var where = " WHERE d.tenant_id = @tenant" + filters.Sql;

        // The count and the page come from one snapshot.
        return await ReadSnapshotAsync(async (connection, transaction, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("SELECT count(*)::integer FROM documents d" + where + ";").Arg("tenant", query.Tenant.Value).Filtered(filters);
            // COLLATE "C": the same order as SQLite's binary comparison, so pages do not depend on the database's locale.
            batch.Statement(DocumentRows.DocumentColumns + where + " ORDER BY d.source_uri COLLATE \"C\", d.id COLLATE \"C\" LIMIT @limit OFFSET @offset;")
                .Arg("tenant", query.Tenant.Value).Arg("limit", query.Limit).Arg("offset", query.Offset).Filtered(filters);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var total = reader.GetInt32(0);
            await reader.NextResultAsync(ct);
            var items = new List<DocumentRecord>();
            while (await reader.ReadAsync(ct))
                items.Add(DocumentRows.Document(reader));
            return new DocumentPage(items, total);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<Chunk>> GetChunksAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(DocumentRows.ChunkColumns + " FROM chunks c WHERE c.tenant_id = @tenant AND c.doc_id = @doc ORDER BY c.ordinal;")
            .Arg("tenant", tenant.Value).Arg("doc", document.Value);
        return await DocumentRows.ReadAllAsync(command, DocumentRows.Chunk, cancellationToken);
    }

    public async Task<IReadOnlyList<Chunk>> GetChunksByIdAsync(TenantId tenant, IReadOnlyCollection<ChunkId> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0)
            return [];
        await using var connection = await _database.OpenAsync(cancellationToken);
        // Ids travel as one array parameter, driving one index lookup each.
        await using var command = connection.Command(DocumentRows.ChunkColumns + """
             FROM unnest(@ids) AS wanted(id) JOIN chunks c ON c.tenant_id = @tenant AND c.id = wanted.id
            ORDER BY c.doc_id, c.ordinal;
            """).Arg("tenant", tenant.Value).Arg("ids", chunks.Select(c => c.Value).ToArray());
        return await DocumentRows.ReadAllAsync(command, DocumentRows.Chunk, cancellationToken);
    }

    public async Task<string?> GetDocumentTextAsync(TenantId tenant, DocumentId document, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT v.normalized_text FROM documents d
            JOIN document_versions v ON v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version
            WHERE d.tenant_id = @tenant AND d.id = @doc;
            """).Arg("tenant", tenant.Value).Arg("doc", document.Value);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task StoreEmbeddingsAsync(TenantId tenant, ChunkEmbeddings embeddings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddings.Model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddings.Dimension);
        foreach (var (chunk, vector) in embeddings.Vectors)
        {
            if (vector.Length != embeddings.Dimension)
                throw new ArgumentException($"Embedding of '{chunk}' has {vector.Length} dimensions, expected {embeddings.Dimension}.", nameof(embeddings));
        }
        // One statement cannot write a row twice: the last vector given for a chunk wins, as if written one by one.
        var last = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        foreach (var (chunk, vector) in embeddings.Vectors)
            last[chunk.Value] = vector;
        if (last.Count == 0)
            return;
        var flat = new float[last.Count * embeddings.Dimension];
        var offset = 0;
        foreach (var vector in last.Values)
        {
            vector.Span.CopyTo(flat.AsSpan(offset));
            offset += embeddings.Dimension;
        }

        await WriteInStageAsync("store.embeddings", async (connection, transaction, ct) =>
        {
            // The chunk lookup is tenant-scoped, so a vector cannot land on another tenant's chunk; ids that no longer
            // exist (a newer version replaced them) select no row and are skipped. FOR KEY SHARE keeps a concurrent
            // replace from deleting a chunk between the lookup and the insert, which would fail the foreign key.
            await using var upsert = connection.Command("""
                WITH target AS (
                    SELECT c.row_id, c.doc_id, wanted.k::integer AS k
                    FROM unnest(@ids) WITH ORDINALITY AS wanted(id, k)
                    JOIN chunks c ON c.tenant_id = @tenant AND c.id = wanted.id
                    FOR KEY SHARE OF c
                ), stored AS (
                    INSERT INTO embeddings (chunk_row_id, model, dimension, vector, created_at)
                    SELECT t.row_id, @model, @dimension, @vectors[(t.k - 1) * @dimension + 1 : t.k * @dimension], @at FROM target t
                    ON CONFLICT (chunk_row_id, model) DO UPDATE
                        SET dimension = excluded.dimension, vector = excluded.vector, created_at = excluded.created_at
                    RETURNING chunk_row_id
                )
                SELECT DISTINCT t.doc_id FROM target t JOIN stored s ON s.chunk_row_id = t.row_id;
                """, transaction)
                .Arg("tenant", tenant.Value).Arg("ids", last.Keys.ToArray()).Arg("model", embeddings.Model)
                .Arg("dimension", embeddings.Dimension).Arg("vectors", flat).Arg("at", Now());
            var documents = await DocumentRows.ReadAllAsync(upsert, r => r.GetString(0), ct);
            // No document row changes here: in-process indexes elsewhere must still hear of the new vectors.
            await RecordChangesAsync(connection, transaction, tenant, [.. documents], ct);
            return 0;
        }, cancellationToken);
        await EnsureVectorIndexAsync(embeddings.Model, embeddings.Dimension, cancellationToken);
    }

    public async IAsyncEnumerable<StoredEmbedding> ReadEmbeddingsAsync(string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        await using var connection = await _database.OpenAsync(cancellationToken);
        // One statement streams rows as they are read: a whole model's vectors never sit in memory at once.
        await using var command = connection.Command(DocumentRows.EmbeddingColumns + """
             FROM embeddings e JOIN chunks c ON c.row_id = e.chunk_row_id
            WHERE e.model = @model
            ORDER BY e.chunk_row_id;
            """).Arg("model", model);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return DocumentRows.Embedding(reader);
    }
}
