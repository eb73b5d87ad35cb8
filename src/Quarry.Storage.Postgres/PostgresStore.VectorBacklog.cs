using Npgsql;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

/// <summary>Vectors filled after the documents were stored (Ingestion:Vectors = Background): which knowledge bases
/// wait for them, and making their model searchable as soon as some exist.</summary>
internal sealed partial class PostgresStore
{
    public async Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesMissingVectorsAsync(EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(DocumentRows.KnowledgeBaseColumns + """
             WHERE (k.embedding_model IS NULL AND EXISTS (SELECT 1 FROM chunks c WHERE c.tenant_id = k.tenant_id AND c.kb_id = k.id))
                OR (k.embedding_model = @model AND k.embedding_dimension = @dimension AND k.embeddings_incomplete)
             ORDER BY k.tenant_id COLLATE "C", k.name COLLATE "C";
            """).Arg("model", model.Id).Arg("dimension", model.Dimension);
        return await DocumentRows.ReadAllAsync(command, DocumentRows.KnowledgeBase, cancellationToken);
    }

    public Task<int?> AdoptEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WriteInStageAsync<int?>("store.embedding_model.adopt", async (connection, transaction, ct) =>
        {
            // As in ActivateEmbeddingModelAsync: the row lock keeps upserts out between the count and the flag.
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("SELECT embedding_model, embedding_dimension FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb FOR NO KEY UPDATE;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            batch.Statement($"SELECT count(*)::integer FROM chunks c WHERE c.tenant_id = @tenant AND c.kb_id = @kb AND {WithoutVectorOf};")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id).Arg("dimension", model.Dimension);
            int missing;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) return null;
                if (!reader.IsDBNull(0) && (reader.GetString(0) != model.Id || reader.GetInt32(1) != model.Dimension)) return null;
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                missing = reader.GetInt32(0);
            }
            await using var adopt = connection.Command("""
                UPDATE knowledge_bases SET embedding_model = @model, embedding_dimension = @dimension, embeddings_incomplete = @incomplete
                WHERE tenant_id = @tenant AND id = @kb;
                """, transaction).Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value).Arg("model", model.Id)
                .Arg("dimension", model.Dimension).Arg("incomplete", missing > 0);
            await adopt.ExecuteNonQueryAsync(ct);
            return missing;
        }, cancellationToken);
    }
}
