using Npgsql;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Creating and replacing documents. Writers of one document serialize on its row (FOR UPDATE), so versions are
/// numbered without gaps or duplicates and the last writer's chunks are the only ones left. Writers of one knowledge
/// base share its row (FOR SHARE): a knowledge-base delete or a model switch waits for them, and they for it. The rare
/// write that changes the knowledge base's model state takes the row exclusively from the start, so writers do not
/// deadlock upgrading their shared locks.
/// </summary>
internal sealed partial class PostgresStore
{
    public async Task<UpsertResult> UpsertDocumentAsync(DocumentWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var embeddings = DocumentWriteEmbeddings.ByOrdinal(write);

        using var stage = QuarryTelemetry.StartStage("store.upsert");
        stage.Activity?.SetTag("quarry.document.id", write.DocumentId.Value);
        try
        {
            // Cheap path for the common re-ingest of an unchanged file: no transaction, no lock.
            var (unchanged, knowledgeBase) = await ReadBeforeWriteAsync(write, cancellationToken);
            var exclusive = knowledgeBase is not null && PlanModelChange(write, embeddings, knowledgeBase) is not null;
            var result = unchanged
                ?? await _database.WriteAsync((connection, transaction, ct) => UpsertAsync(connection, transaction, write, embeddings, exclusive, ct), cancellationToken);

            // Same content with an access list: the list still applies (it needs no new version).
            if (result.Outcome == UpsertOutcome.Unchanged && write.Allow is { } allow)
                await SetDocumentAccessAsync(write.TenantId, write.DocumentId, allow, cancellationToken);
            if (write.Embeddings is { } vectors && result.Outcome != UpsertOutcome.Unchanged)
                await EnsureVectorIndexAsync(vectors.Model, vectors.Dimension, cancellationToken);
            stage.Activity?.SetTag("quarry.upsert.outcome", result.Outcome.ToString());
            Log.DocumentUpserted(_logger, write.DocumentId.Value, result.Outcome, result.Version, result.ChunkCount);
            if (result.Outcome != UpsertOutcome.Unchanged)
                QuarryTelemetry.ChunksWritten.Add(result.ChunkCount);
            return result;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <summary>The knowledge base's model state as a write sees it.</summary>
    private sealed record ModelState(EmbeddingModel? Active, bool Incomplete);

    /// <summary>How a write changes its knowledge base's model state: <paramref name="Active"/> becomes (or stays) the
    /// active model, embeddings become incomplete when <paramref name="Incomplete"/>, or when
    /// <paramref name="CheckOthers"/> and a chunk of another document has no vector of it.</summary>
    private sealed record ModelChange(EmbeddingModel Active, bool Incomplete, bool CheckOthers);

    /// <summary>
    /// The first vectors stored make their model active; chunks stored without a vector of the active model (no
    /// embedder, or another model's vectors, which stay beside for a later re-embedding) leave vector search incomplete
    /// until the knowledge base is re-embedded. Null when the write leaves the knowledge base row as it is.
    /// </summary>
    private static ModelChange? PlanModelChange(DocumentWrite write, ReadOnlyMemory<float>?[]? embeddings, ModelState state)
    {
        if (write.Chunks.Count == 0)
            return null;
        var written = write.Embeddings is { } e ? new EmbeddingModel(e.Model, e.Dimension) : null;
        var everyChunk = embeddings is not null && Array.TrueForAll(embeddings, v => v is not null);
        if (state.Active is null)
            return written is null ? null : new ModelChange(written, !everyChunk, CheckOthers: true);
        if ((written == state.Active && everyChunk) || state.Incomplete)
            return null;
        return new ModelChange(state.Active, Incomplete: true, CheckOthers: false);
    }

    private async Task<(UpsertResult? Unchanged, ModelState? KnowledgeBase)> ReadBeforeWriteAsync(DocumentWrite write, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.Statement("""
            SELECT d.version, v.chunk_count FROM documents d
            JOIN document_versions v ON v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version
            WHERE d.tenant_id = @tenant AND d.id = @doc AND d.checksum = @checksum;
            """).Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value).Arg("checksum", write.Checksum);
        AddModelStateRead(batch, write, "");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var unchanged = await reader.ReadAsync(cancellationToken)
            ? new UpsertResult(write.DocumentId, UpsertOutcome.Unchanged, reader.GetInt32(0), reader.GetInt32(1))
            : null;
        await reader.NextResultAsync(cancellationToken);
        return (unchanged, await ReadModelStateAsync(reader, cancellationToken));
    }

    private static void AddModelStateRead(NpgsqlBatch batch, DocumentWrite write, string lockClause) =>
        batch.Statement($"SELECT embedding_model, embedding_dimension, embeddings_incomplete FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb{lockClause};")
            .Arg("tenant", write.TenantId.Value).Arg("kb", write.KnowledgeBaseId.Value);

    private static async Task<ModelState?> ReadModelStateAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken)
            ? new ModelState(reader.IsDBNull(0) ? null : new EmbeddingModel(reader.GetString(0), reader.GetInt32(1)), reader.GetBoolean(2))
            : null;

    private async Task<UpsertResult> UpsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DocumentWrite write, ReadOnlyMemory<float>?[]? embeddings,
        bool exclusive, CancellationToken cancellationToken)
    {
        var now = Now();
        await CheckFenceAsync(connection, transaction, write, cancellationToken);
        var (state, current) = await LockAsync(connection, transaction, write, exclusive, now, cancellationToken);

        if (current is not null && current.KnowledgeBase != write.KnowledgeBaseId.Value)
            throw new StoreConflictException($"Document '{write.DocumentId}' belongs to another knowledge base than '{write.KnowledgeBaseId}'.");
        // Decided again under the row lock: another writer may have stored this very content since the first look.
        if (current is not null && current.Checksum == write.Checksum)
            return new UpsertResult(write.DocumentId, UpsertOutcome.Unchanged, current.Version, current.ChunkCount);

        var version = (current?.Version ?? 0) + 1;
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (current is not null)
            AddReplace(batch, write, version, now);
        AddVersion(batch, write, version, now);
        if (write.Allow is { } allow)
            AddAccess(batch, write.TenantId.Value, write.DocumentId.Value, allow);
        AddChunks(batch, write, embeddings, version, now);
        if (PlanModelChange(write, embeddings, state) is { } change)
            AddModelChange(batch, write, change);
        AddChanges(batch, write.TenantId, [write.DocumentId.Value]);
        await batch.ExecuteNonQueryAsync(cancellationToken);

        return new UpsertResult(write.DocumentId, current is null ? UpsertOutcome.Created : UpsertOutcome.Replaced, version, write.Chunks.Count);
    }

    /// <summary>The document's current version as the row lock found it.</summary>
    private sealed record CurrentVersion(int Version, string Checksum, string KnowledgeBase, int ChunkCount);

    /// <summary>
    /// Takes the knowledge base's row (shared, or exclusive when this write changes its model state) and then the
    /// document's: inserts it as version 1 when it does not exist, else locks the existing row. Returns the model state
    /// read under the lock and the current version (null when this write created the document).
    /// </summary>
    private static async Task<(ModelState State, CurrentVersion? Current)> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DocumentWrite write, bool exclusive, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            AddModelStateRead(batch, write, exclusive ? " FOR NO KEY UPDATE" : " FOR SHARE");
            // Inserted only when the knowledge base row was found: the lock above keeps it until commit.
            BindDocument(batch.Statement("""
                INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version,
                                       language, tags, created_at, updated_at, parent_id)
                SELECT @tenant, @doc, @kb, @source, @title, @type, @size, @checksum, 1, @language, jsonb_object(@tag_keys, @tag_values), @at, @at, @parent
                WHERE EXISTS (SELECT 1 FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb)
                ON CONFLICT (tenant_id, id) DO NOTHING
                RETURNING 1;
                """), write, now);
            batch.Statement("""
                SELECT d.version, d.checksum, d.kb_id, v.chunk_count FROM documents d
                JOIN document_versions v ON v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version
                WHERE d.tenant_id = @tenant AND d.id = @doc
                FOR UPDATE OF d;
                """).Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var state = await ReadModelStateAsync(reader, cancellationToken)
                ?? throw new KeyNotFoundException($"Knowledge base '{write.KnowledgeBaseId}' does not exist in tenant '{write.TenantId}'.");
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                return (state, null);
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                return (state, new CurrentVersion(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
            // The row the insert found was deleted before it could be locked: insert again.
        }
    }

    private static NpgsqlBatchCommand BindDocument(NpgsqlBatchCommand command, DocumentWrite write, DateTimeOffset now) => command
        .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value).Arg("kb", write.KnowledgeBaseId.Value)
        .Arg("source", write.SourceUri).Arg("title", write.Title).Arg("type", write.ContentType)
        .Arg("size", write.SizeBytes).Arg("checksum", write.Checksum).Text("language", write.Language)
        .Arg("tag_keys", write.Tags.Keys.Select(StoreCommands.Clean).ToArray())
        .Arg("tag_values", write.Tags.Values.Select(StoreCommands.Clean).ToArray())
        .Arg("at", now)
        .Text("parent", write.ParentId?.Value);

    /// <summary>Drops the previous version's chunks (their full-text entries and vectors with them), tags and text, and
    /// moves the document row to the new version.</summary>
    private static void AddReplace(NpgsqlBatch batch, DocumentWrite write, int version, DateTimeOffset now)
    {
        batch.Statement("DELETE FROM chunks WHERE tenant_id = @tenant AND doc_id = @doc;")
            .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value);
        batch.Statement("DELETE FROM document_tags WHERE tenant_id = @tenant AND doc_id = @doc;")
            .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value);
        batch.Statement("UPDATE document_versions SET normalized_text = NULL WHERE tenant_id = @tenant AND doc_id = @doc AND normalized_text IS NOT NULL;")
            .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value);
        BindDocument(batch.Statement("""
            UPDATE documents SET source_uri = @source, title = @title, content_type = @type, size_bytes = @size,
                   checksum = @checksum, version = @version, language = @language, tags = jsonb_object(@tag_keys, @tag_values),
                   updated_at = @at, parent_id = @parent
            WHERE tenant_id = @tenant AND id = @doc;
            """), write, now).Arg("version", version);
    }

    private static void AddVersion(NpgsqlBatch batch, DocumentWrite write, int version, DateTimeOffset now)
    {
        if (write.Tags.Count > 0)
        {
            batch.Statement("INSERT INTO document_tags (tenant_id, doc_id, key, value) SELECT @tenant, @doc, unnest(@keys), unnest(@values);")
                .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value)
                .Arg("keys", write.Tags.Keys.Select(StoreCommands.Clean).ToArray())
                .Arg("values", write.Tags.Values.Select(StoreCommands.Clean).ToArray());
        }
        batch.Statement("""
            INSERT INTO document_versions (tenant_id, doc_id, version, checksum, size_bytes, chunk_count, normalized_text, created_at)
            VALUES (@tenant, @doc, @version, @checksum, @size, @count, @text, @at);
            """)
            .Arg("tenant", write.TenantId.Value).Arg("doc", write.DocumentId.Value).Arg("version", version)
            .Arg("checksum", write.Checksum).Arg("size", write.SizeBytes).Arg("count", write.Chunks.Count)
            .Arg("text", write.NormalizedText).Arg("at", now);
    }

    private static void AddModelChange(NpgsqlBatch batch, DocumentWrite write, ModelChange change)
    {
        var others = change.CheckOthers
            ? """
               OR EXISTS (SELECT 1 FROM chunks c
                          WHERE c.tenant_id = @tenant AND c.kb_id = @kb AND c.doc_id <> @doc
                            AND NOT EXISTS (SELECT 1 FROM embeddings e
                                            WHERE e.chunk_row_id = c.row_id AND e.model = @model AND e.dimension = @dimension))
              """
            : "";
        batch.Statement($"""
            UPDATE knowledge_bases SET embedding_model = @model, embedding_dimension = @dimension,
                   embeddings_incomplete = embeddings_incomplete OR @incomplete {others}
            WHERE tenant_id = @tenant AND id = @kb;
            """)
            .Arg("tenant", write.TenantId.Value).Arg("kb", write.KnowledgeBaseId.Value).Arg("doc", write.DocumentId.Value)
            .Arg("model", change.Active.Id).Arg("dimension", change.Active.Dimension).Arg("incomplete", change.Incomplete);
    }
}
