using System.Globalization;
using Microsoft.Data.Sqlite;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string InsertChunkSql = """
        INSERT INTO chunks (id, tenant_id, doc_id, kb_id, version, ordinal, text, header_prefix_length, title,
                            section_json, section, source_uri, language, tags, token_count, checksum,
                            span_start, span_end, page_start, page_end, created_at, updated_at)
        VALUES ($id, $tenant, $doc, $kb, $version, $ordinal, $text, $header, $title,
                $section_json, $section, $source, $language, $tags, $tokens, $checksum,
                $span_start, $span_end, $page_start, $page_end, $at, $at)
        RETURNING row_id;
        """;

    private const string UpsertEmbeddingSql = """
        INSERT INTO embeddings (chunk_row_id, model, dimension, vector, created_at)
        VALUES ($row, $model, $dimension, $vector, $at)
        ON CONFLICT (chunk_row_id, model) DO UPDATE
            SET dimension = excluded.dimension, vector = excluded.vector, created_at = excluded.created_at;
        """;

    public async Task<UpsertResult> UpsertDocumentAsync(DocumentWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var embeddingsByOrdinal = DocumentWriteEmbeddings.ByOrdinal(write);

        using var stage = QuarryTelemetry.StartStage("store.upsert");
        stage.Activity?.SetTag("quarry.document.id", write.DocumentId.Value);
        try
        {
            // Cheap path for the common re-ingest of an unchanged file: no write lock at all.
            // A write that sets an access list takes the locked path, which applies the list even to unchanged content.
            var result = (write.Allow is null ? await ReadUnchangedAsync(write, cancellationToken) : null)
                ?? await _database.WriteAsync(async (connection, ct) =>
                {
                    var written = await UpsertAsync(connection, write, embeddingsByOrdinal, ct);
                    await PruneIndexChangesAsync(connection, ct);
                    return written;
                }, cancellationToken);

            stage.Activity?.SetTag("quarry.upsert.outcome", result.Outcome.ToString());
            Written(result);
            return result;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    private void Written(UpsertResult result)
    {
        Log.DocumentUpserted(_logger, result.DocumentId.Value, result.Outcome, result.Version, result.ChunkCount);
        if (result.Outcome != UpsertOutcome.Unchanged)
            QuarryTelemetry.ChunksWritten.Add(result.ChunkCount);
    }

    /// <summary>Many documents in one write transaction: a commit and the writer's turn cost once per batch, which
    /// is most of a small document's write.</summary>
    public async Task<IReadOnlyList<UpsertResult>> UpsertDocumentsAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count <= 1)
            return writes.Count == 0 ? [] : [await UpsertDocumentAsync(writes[0], cancellationToken)];

        using var stage = QuarryTelemetry.StartStage("store.upsert_batch");
        stage.Activity?.SetTag("quarry.upsert.documents", writes.Count);
        try
        {
            var results = await _database.WriteAsync(async (connection, ct) =>
            {
                var done = new List<UpsertResult>(writes.Count);
                foreach (var write in writes)
                    done.Add(await UpsertAsync(connection, write, DocumentWriteEmbeddings.ByOrdinal(write), ct));
                // Once for the batch: the feed keeps its newest rows whether they are trimmed after each document or at the end.
                await PruneIndexChangesAsync(connection, ct);
                return done;
            }, cancellationToken);
            results.ForEach(Written);
            return results;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    /// <summary>FTS5 writes each transaction's entries as a new segment and merges them only in part: after a
    /// thousand small commits a search read two dozen segments and took three times as long as over one. A negative
    /// 'merge' is an incremental optimize: it moves towards a single segment, doing at most that many pages of work,
    /// so the cost follows the amount written rather than the size of the index.</summary>
    public async Task CompactKeywordIndexAsync(int chunksWritten, CancellationToken cancellationToken)
    {
        if (chunksWritten <= 0)
            return;
        using var stage = QuarryTelemetry.StartStage("store.keyword_compact");
        var pages = (int)Math.Min(int.MaxValue / 2, Math.Max(256L, chunksWritten * 4L));
        await _database.WriteAsync(async (connection, ct) =>
        {
            await using var merge = connection.Command("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('merge', $pages);").With("$pages", -pages);
            return await merge.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    private async Task<UpsertResult?> ReadUnchangedAsync(DocumentWrite write, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        return await FindUnchangedAsync(connection, write, cancellationToken);
    }

    /// <summary>Refuses a write for a job that a delete (or a user) cancelled. Inside the write transaction, and SQLite
    /// has one writer, so the delete cannot slip in between this check and the commit.</summary>
    private static async Task CheckFenceAsync(SqliteConnection connection, DocumentWrite write, CancellationToken cancellationToken)
    {
        if (write.Job is not { } job) return;
        await using var command = connection.Command("SELECT status FROM ingestion_jobs WHERE tenant_id = $tenant AND id = $id;")
            .With("$tenant", write.TenantId.Value).With("$id", job.Value);
        var status = await command.ExecuteScalarAsync(cancellationToken) as string;
        if (status is not ("queued" or "running"))
            throw new JobFencedException($"Ingestion job '{job}' is {status ?? "gone"}: its document or knowledge base was deleted while it ran, so its result is discarded.");
    }

    private static async Task<UpsertResult?> FindUnchangedAsync(SqliteConnection connection, DocumentWrite write, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            SELECT d.version, v.chunk_count FROM documents d
            JOIN document_versions v ON v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version
            WHERE d.tenant_id = $tenant AND d.id = $doc AND d.checksum = $checksum;
            """).With("$tenant", write.TenantId.Value).With("$doc", write.DocumentId.Value).With("$checksum", write.Checksum);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UpsertResult(write.DocumentId, UpsertOutcome.Unchanged, reader.GetInt32(0), reader.GetInt32(1))
            : null;
    }

    private async Task<UpsertResult> UpsertAsync(
        SqliteConnection connection, DocumentWrite write, ReadOnlyMemory<float>?[]? embeddings, CancellationToken cancellationToken)
    {
        var tenant = write.TenantId.Value;
        var doc = write.DocumentId.Value;
        await CheckFenceAsync(connection, write, cancellationToken);

        EmbeddingModel? activeModel;
        await using (var kb = connection.Command("SELECT embedding_model, embedding_dimension FROM knowledge_bases WHERE tenant_id = $tenant AND id = $kb;")
            .With("$tenant", tenant).With("$kb", write.KnowledgeBaseId.Value))
        await using (var reader = await kb.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
                throw new KeyNotFoundException($"Knowledge base '{write.KnowledgeBaseId}' does not exist in tenant '{write.TenantId}'.");
            activeModel = reader.IsDBNull(0) ? null : new EmbeddingModel(reader.GetString(0), reader.GetInt32(1));
        }

        int? previousVersion = null;
        string? previousChecksum = null;
        string? previousKnowledgeBase = null;
        await using (var existing = connection.Command("SELECT version, checksum, kb_id FROM documents WHERE tenant_id = $tenant AND id = $doc;")
            .With("$tenant", tenant).With("$doc", doc))
        await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                previousVersion = reader.GetInt32(0);
                previousChecksum = reader.GetString(1);
                previousKnowledgeBase = reader.GetString(2);
            }
        }
        if (previousKnowledgeBase is not null && previousKnowledgeBase != write.KnowledgeBaseId.Value)
            throw new StoreConflictException($"Document '{doc}' belongs to another knowledge base than '{write.KnowledgeBaseId}'.");
        // Decided again under the write lock: another writer may have stored this very content since our first look.
        if (previousChecksum == write.Checksum)
        {
            if (write.Allow is { } sameContentAllow)
                await ApplyAccessAsync(connection, tenant, doc, sameContentAllow, cancellationToken);
            return (await FindUnchangedAsync(connection, write, cancellationToken))!;
        }

        var now = Now();
        var at = UnixTime.ToMs(now);
        var version = (previousVersion ?? 0) + 1;
        var tags = StoreJson.Tags(write.Tags);

        if (previousVersion is null)
        {
            await using var insert = connection.Command("""
                INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version,
                                       language, tags, created_at, updated_at, parent_id)
                VALUES ($tenant, $doc, $kb, $source, $title, $type, $size, $checksum, 1, $language, $tags, $at, $at, $parent);
                """);
            await BindDocument(insert, write, tags, at).ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            // Old chunks go first: their FTS rows (trigger) and embeddings (cascade) with them.
            await using (var deleteChunks = connection.Command("DELETE FROM chunks WHERE tenant_id = $tenant AND doc_id = $doc;")
                .With("$tenant", tenant).With("$doc", doc))
                await deleteChunks.ExecuteNonQueryAsync(cancellationToken);
            await using (var deleteTags = connection.Command("DELETE FROM document_tags WHERE tenant_id = $tenant AND doc_id = $doc;")
                .With("$tenant", tenant).With("$doc", doc))
                await deleteTags.ExecuteNonQueryAsync(cancellationToken);
            await using (var forgetText = connection.Command("UPDATE document_versions SET normalized_text = NULL WHERE tenant_id = $tenant AND doc_id = $doc;")
                .With("$tenant", tenant).With("$doc", doc))
                await forgetText.ExecuteNonQueryAsync(cancellationToken);
            await using var update = connection.Command("""
                UPDATE documents SET source_uri = $source, title = $title, content_type = $type, size_bytes = $size,
                       checksum = $checksum, version = $version, language = $language, tags = $tags, updated_at = $at,
                       parent_id = $parent
                WHERE tenant_id = $tenant AND id = $doc;
                """);
            await BindDocument(update, write, tags, at).With("$version", version).ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertTagsAsync(connection, write, cancellationToken);
        if (write.Allow is { } allow)
            await ApplyAccessAsync(connection, tenant, doc, allow, cancellationToken);

        await using (var versionRow = connection.Command("""
            INSERT INTO document_versions (tenant_id, doc_id, version, checksum, size_bytes, chunk_count, normalized_text, created_at)
            VALUES ($tenant, $doc, $version, $checksum, $size, $count, $text, $at);
            """)
            .With("$tenant", tenant).With("$doc", doc).With("$version", version).With("$checksum", write.Checksum)
            .With("$size", write.SizeBytes).With("$count", write.Chunks.Count).With("$text", write.NormalizedText).With("$at", at))
            await versionRow.ExecuteNonQueryAsync(cancellationToken);

        await InsertChunksAsync(connection, write, version, tags, at, embeddings, cancellationToken);
        await TrackEmbeddingModelAsync(connection, write, activeModel, embeddings, cancellationToken);

        return new UpsertResult(write.DocumentId, previousVersion is null ? UpsertOutcome.Created : UpsertOutcome.Replaced, version, write.Chunks.Count);
    }

    private static SqliteCommand BindDocument(SqliteCommand command, DocumentWrite write, string tags, long at) => command
        .With("$tenant", write.TenantId.Value).With("$doc", write.DocumentId.Value).With("$kb", write.KnowledgeBaseId.Value)
        .With("$source", write.SourceUri).With("$title", write.Title).With("$type", write.ContentType)
        .With("$size", write.SizeBytes).With("$checksum", write.Checksum).With("$language", write.Language)
        .With("$tags", tags).With("$at", at).With("$parent", write.ParentId?.Value);

    private static async Task InsertTagsAsync(SqliteConnection connection, DocumentWrite write, CancellationToken cancellationToken)
    {
        if (write.Tags.Count == 0)
            return;
        await using var insert = connection.Command("INSERT INTO document_tags (tenant_id, doc_id, key, value) VALUES ($tenant, $doc, $key, $value);");
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Text);
        insert.With("$tenant", write.TenantId.Value).With("$doc", write.DocumentId.Value);
        foreach (var (k, v) in write.Tags)
        {
            key.Value = k;
            value.Value = v;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task InsertChunksAsync(
        SqliteConnection connection, DocumentWrite write, int version, string tags, long at,
        ReadOnlyMemory<float>?[]? embeddings, CancellationToken cancellationToken)
    {
        await using var insert = connection.Command(InsertChunkSql)
            .With("$tenant", write.TenantId.Value).With("$doc", write.DocumentId.Value).With("$kb", write.KnowledgeBaseId.Value)
            .With("$version", version).With("$title", write.Title).With("$source", write.SourceUri)
            .With("$language", write.Language).With("$tags", tags).With("$at", at);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var ordinal = insert.Parameters.Add("$ordinal", SqliteType.Integer);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        var header = insert.Parameters.Add("$header", SqliteType.Integer);
        var sectionJson = insert.Parameters.Add("$section_json", SqliteType.Text);
        var section = insert.Parameters.Add("$section", SqliteType.Text);
        var tokens = insert.Parameters.Add("$tokens", SqliteType.Integer);
        var checksum = insert.Parameters.Add("$checksum", SqliteType.Text);
        var spanStart = insert.Parameters.Add("$span_start", SqliteType.Integer);
        var spanEnd = insert.Parameters.Add("$span_end", SqliteType.Integer);
        var pageStart = insert.Parameters.Add("$page_start", SqliteType.Integer);
        var pageEnd = insert.Parameters.Add("$page_end", SqliteType.Integer);

        await using var embed = embeddings is null ? null : connection.Command(UpsertEmbeddingSql)
            .With("$model", write.Embeddings!.Model).With("$dimension", write.Embeddings.Dimension).With("$at", at);
        var row = embed?.Parameters.Add("$row", SqliteType.Integer);
        var vector = embed?.Parameters.Add("$vector", SqliteType.Blob);

        for (var i = 0; i < write.Chunks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = write.Chunks[i];
            id.Value = DocumentIdentity.ForChunk(write.DocumentId, version, i).Value;
            ordinal.Value = i;
            text.Value = chunk.Text;
            header.Value = chunk.HeaderPrefixLength;
            sectionJson.Value = StoreJson.Section(chunk.Section);
            section.Value = string.Join(" > ", chunk.Section);
            tokens.Value = chunk.TokenCount;
            checksum.Value = chunk.Checksum;
            spanStart.Value = chunk.Span.Start;
            spanEnd.Value = chunk.Span.End;
            pageStart.Value = (object?)chunk.PageStart ?? DBNull.Value;
            pageEnd.Value = (object?)chunk.PageEnd ?? DBNull.Value;
            var rowId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

            if (embed is not null && embeddings![i] is { } v)
            {
                row!.Value = rowId;
                vector!.Value = VectorCodec.Encode(v.Span);
                await embed.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Keeps the knowledge base's active model and completeness true after a write: the first vectors stored make
    /// their model active; chunks stored without a vector of the active model (no embedder, or another model's vectors,
    /// which stay beside for a later re-embedding) leave vector search incomplete until the knowledge base is re-embedded.
    /// </summary>
    private static async Task TrackEmbeddingModelAsync(
        SqliteConnection connection, DocumentWrite write, EmbeddingModel? active, ReadOnlyMemory<float>?[]? embeddings, CancellationToken cancellationToken)
    {
        if (write.Chunks.Count == 0) return;
        var written = write.Embeddings is { } e ? new EmbeddingModel(e.Model, e.Dimension) : null;
        var everyChunk = embeddings is not null && Array.TrueForAll(embeddings, v => v is not null);
        bool incomplete;
        if (active is null)
        {
            if (written is null) return;
            await using var others = connection.Command("""
                SELECT EXISTS (SELECT 1 FROM chunks c
                               WHERE c.tenant_id = $tenant AND c.kb_id = $kb AND c.doc_id <> $doc
                                 AND NOT EXISTS (SELECT 1 FROM embeddings e
                                                 WHERE e.chunk_row_id = c.row_id AND e.model = $model AND e.dimension = $dimension));
                """).With("$tenant", write.TenantId.Value).With("$kb", write.KnowledgeBaseId.Value).With("$doc", write.DocumentId.Value)
                .With("$model", written.Id).With("$dimension", written.Dimension);
            incomplete = !everyChunk || Convert.ToInt64(await others.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) != 0;
            active = written;
        }
        else if (written == active && everyChunk)
        {
            return;
        }
        else
        {
            incomplete = true;
        }
        await using var update = connection.Command("""
            UPDATE knowledge_bases SET embedding_model = $model, embedding_dimension = $dimension,
                   embeddings_incomplete = max(embeddings_incomplete, $incomplete)
            WHERE tenant_id = $tenant AND id = $kb;
            """).With("$tenant", write.TenantId.Value).With("$kb", write.KnowledgeBaseId.Value)
            .With("$model", active.Id).With("$dimension", active.Dimension).With("$incomplete", incomplete ? 1 : 0);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
