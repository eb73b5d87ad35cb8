using Npgsql;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

/// <summary>Re-embedding a knowledge base: find the chunks a model has not embedded yet, then switch the active model
/// in one transaction once none is left, and drop the vectors no longer searched.</summary>
internal sealed partial class PostgresStore
{
    private const string WithoutVectorOf = """
        NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_row_id = c.row_id AND e.model = @model AND e.dimension = @dimension)
        """;

    public async Task<IReadOnlyList<StoredEmbedding>> GetDocumentEmbeddingsAsync(TenantId tenant, DocumentId document, string model, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(DocumentRows.EmbeddingColumns + """
             FROM chunks c JOIN embeddings e ON e.chunk_row_id = c.row_id AND e.model = @model
            WHERE c.tenant_id = @tenant AND c.doc_id = @doc
            ORDER BY c.ordinal;
            """).Arg("tenant", tenant.Value).Arg("doc", document.Value).Arg("model", model);
        return await DocumentRows.ReadAllAsync(command, DocumentRows.Embedding, cancellationToken);
    }

    public async Task<EmbeddingCoverage> GetEmbeddingCoverageAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT count(*)::integer, count(*) FILTER (WHERE NOT {WithoutVectorOf})::integer
            FROM chunks c WHERE c.tenant_id = @tenant AND c.kb_id = @kb;
            """).Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id).Arg("dimension", model.Dimension);
        return (await DocumentRows.ReadAllAsync(command, r => new EmbeddingCoverage(r.GetInt32(0), r.GetInt32(1)), cancellationToken))[0];
    }

    public async Task<ChunkTextPage> GetChunksWithoutEmbeddingAsync(
        TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, long after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _database.OpenAsync(cancellationToken);
        // Keyset on row_id (the chunks_kb index): each page starts where the last ended, so a pass reads every chunk once.
        await using var command = connection.Command($"""
            SELECT c.row_id, c.id, c.text, c.title FROM chunks c
            WHERE c.tenant_id = @tenant AND c.kb_id = @kb AND c.row_id > @after AND {WithoutVectorOf}
            ORDER BY c.row_id LIMIT @limit;
            """).Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id)
            .Arg("dimension", model.Dimension).Arg("after", after).Arg("limit", limit);
        var rows = await DocumentRows.ReadAllAsync(command, r => (RowId: r.GetInt64(0), Chunk: new ChunkText(new ChunkId(r.GetString(1)), r.GetString(2), r.GetString(3))), cancellationToken);
        return new ChunkTextPage([.. rows.Select(r => r.Chunk)], rows.Count == 0 ? after : rows[^1].RowId);
    }

    public Task<int> ActivateEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WriteInStageAsync("store.embedding_model.activate", async (connection, transaction, ct) =>
        {
            // The row lock waits for the upserts in flight (they hold FOR SHARE) and keeps new ones out until the
            // switch commits: no chunk without a vector of the model can be added between the count and the switch.
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("SELECT 1 FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb FOR NO KEY UPDATE;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            batch.Statement($"SELECT count(*)::integer FROM chunks c WHERE c.tenant_id = @tenant AND c.kb_id = @kb AND {WithoutVectorOf};")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id).Arg("dimension", model.Dimension);
            int missing;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                    throw new KeyNotFoundException($"Knowledge base '{knowledgeBase}' does not exist in tenant '{tenant}'.");
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                missing = reader.GetInt32(0);
            }
            if (missing > 0)
                return missing;

            await using var activate = connection.Command("""
                UPDATE knowledge_bases SET embedding_model = @model, embedding_dimension = @dimension, embeddings_incomplete = false
                WHERE tenant_id = @tenant AND id = @kb;
                """, transaction).Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id).Arg("dimension", model.Dimension);
            await activate.ExecuteNonQueryAsync(ct);
            return 0;
        }, cancellationToken);
    }

    public Task<int> DeleteInactiveEmbeddingsAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) =>
        WriteInStageAsync("store.embeddings.drop_inactive", async (connection, transaction, ct) =>
        {
            // FOR SHARE: the active model cannot switch under the delete (activation takes the row exclusively).
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("SELECT 1 FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb FOR SHARE;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            batch.Statement("""
                DELETE FROM embeddings e USING chunks c
                WHERE c.row_id = e.chunk_row_id AND c.tenant_id = @tenant AND c.kb_id = @kb
                  AND NOT EXISTS (SELECT 1 FROM knowledge_bases k
                                  WHERE k.tenant_id = @tenant AND k.id = @kb
                                    AND k.embedding_model = e.model AND k.embedding_dimension = e.dimension);
                """).Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            await batch.ExecuteNonQueryAsync(ct);
            var deleted = batch.BatchCommands[1].RecordsAffected;
            if (deleted > 0)
            {
                // Indexes of the dropped model elsewhere must let go of these documents.
                await using var documents = connection.Command("SELECT id FROM documents WHERE tenant_id = @tenant AND kb_id = @kb;", transaction)
                    .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
                await RecordChangesAsync(connection, transaction, tenant, [.. await DocumentRows.ReadAllAsync(documents, r => r.GetString(0), ct)], ct);
            }
            return deleted;
        }, cancellationToken);
}
