using System.Globalization;
using Microsoft.Data.Sqlite;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

/// <summary>Re-embedding a knowledge base: find the chunks a model has not embedded yet, then switch the active model
/// in one transaction once none is left, and drop the vectors no longer searched.</summary>
internal sealed partial class SqliteStore
{
    private const string WithoutVectorOf = """
        NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_row_id = c.row_id AND e.model = $model AND e.dimension = $dimension)
        """;

    public async Task<IReadOnlyList<StoredEmbedding>> GetDocumentEmbeddingsAsync(TenantId tenant, DocumentId document, string model, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT c.id, c.doc_id, c.tenant_id, c.kb_id, e.vector
            FROM chunks c JOIN embeddings e ON e.chunk_row_id = c.row_id AND e.model = $model
            WHERE c.tenant_id = $tenant AND c.doc_id = $doc
            ORDER BY c.ordinal;
            """).With("$tenant", tenant.Value).With("$doc", document.Value).With("$model", model);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<StoredEmbedding>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new StoredEmbedding(new ChunkId(reader.GetString(0)), new DocumentId(reader.GetString(1)),
                new TenantId(reader.GetString(2)), new KnowledgeBaseId(reader.GetString(3)), VectorCodec.Decode(reader.GetFieldValue<byte[]>(4))));
        }
        return result;
    }

    public async Task<EmbeddingCoverage> GetEmbeddingCoverageAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT count(*),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM embeddings e
                                                  WHERE e.chunk_row_id = c.row_id AND e.model = $model AND e.dimension = $dimension))
            FROM chunks c WHERE c.tenant_id = $tenant AND c.kb_id = $kb;
            """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id).With("$dimension", model.Dimension);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new EmbeddingCoverage(reader.GetInt32(0), reader.GetInt32(1));
    }

    public async Task<ChunkTextPage> GetChunksWithoutEmbeddingAsync(
        TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, long after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        // Keyset on row_id: each page starts where the last ended, so a whole pass reads every chunk once.
        await using var command = connection.Command($"""
            SELECT c.row_id, c.id, c.text, c.title FROM chunks c
            WHERE c.row_id > $after AND c.tenant_id = $tenant AND c.kb_id = $kb AND {WithoutVectorOf}
            ORDER BY c.row_id LIMIT $limit;
            """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id)
            .With("$dimension", model.Dimension).With("$after", after).With("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var chunks = new List<ChunkText>();
        var next = after;
        while (await reader.ReadAsync(cancellationToken))
        {
            next = reader.GetInt64(0);
            chunks.Add(new ChunkText(new ChunkId(reader.GetString(1)), reader.GetString(2), reader.GetString(3)));
        }
        return new ChunkTextPage(chunks, next);
    }

    public async Task<int> ActivateEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return await WriteInStageAsync("store.embedding_model.activate", async (connection, ct) =>
        {
            // Decided under the write lock: no chunk can be added between the check and the switch.
            await using var missing = connection.Command($"""
                SELECT count(*) FROM chunks c WHERE c.tenant_id = $tenant AND c.kb_id = $kb AND {WithoutVectorOf};
                """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id).With("$dimension", model.Dimension);
            var count = Convert.ToInt32(await missing.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            if (count > 0) return count;

            await using var activate = connection.Command("""
                UPDATE knowledge_bases SET embedding_model = $model, embedding_dimension = $dimension, embeddings_incomplete = 0
                WHERE tenant_id = $tenant AND id = $kb;
                """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id).With("$dimension", model.Dimension);
            if (await activate.ExecuteNonQueryAsync(ct) == 0)
                throw new KeyNotFoundException($"Knowledge base '{knowledgeBase}' does not exist in tenant '{tenant}'.");
            return 0;
        }, cancellationToken);
    }

    public async Task<int> DeleteInactiveEmbeddingsAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken)
    {
        return await WriteInStageAsync("store.embeddings.drop_inactive", async (connection, ct) =>
        {
            await using var delete = connection.Command("""
                DELETE FROM embeddings
                WHERE chunk_row_id IN (SELECT c.row_id FROM chunks c WHERE c.tenant_id = $tenant AND c.kb_id = $kb)
                  AND NOT EXISTS (SELECT 1 FROM knowledge_bases k
                                  WHERE k.tenant_id = $tenant AND k.id = $kb
                                    AND k.embedding_model = embeddings.model AND k.embedding_dimension = embeddings.dimension);
                """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            if (deleted > 0)
            {
                // Indexes of the dropped model elsewhere must let go of these documents.
                await using var changed = connection.Command("""
                    INSERT INTO index_changes (tenant_id, doc_id) SELECT tenant_id, id FROM documents WHERE tenant_id = $tenant AND kb_id = $kb;
                    """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value);
                await changed.ExecuteNonQueryAsync(ct);
                await PruneIndexChangesAsync(connection, ct);
            }
            return deleted;
        }, cancellationToken);
    }

    /// <summary>A write transaction inside a telemetry stage that records the failure, if any.</summary>
    private async Task<T> WriteInStageAsync<T>(string name, Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var stage = QuarryTelemetry.StartStage(name);
        try
        {
            return await _database.WriteAsync(work, cancellationToken);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }
}
