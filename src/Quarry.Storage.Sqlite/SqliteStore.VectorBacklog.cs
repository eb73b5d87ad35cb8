using System.Globalization;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

/// <summary>Vectors filled after the documents were stored (Ingestion:Vectors = Background): which knowledge bases
/// wait for them, and making their model searchable as soon as some exist.</summary>
internal sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesMissingVectorsAsync(EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command(KnowledgeBaseColumns + """
             WHERE (k.embedding_model IS NULL AND EXISTS (SELECT 1 FROM chunks c WHERE c.tenant_id = k.tenant_id AND c.kb_id = k.id))
                OR (k.embedding_model = $model AND k.embedding_dimension = $dimension AND k.embeddings_incomplete <> 0)
             ORDER BY k.tenant_id, k.name;
            """).With("$model", model.Id).With("$dimension", model.Dimension);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<KnowledgeBase>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add(ReadKnowledgeBase(reader));
        return result;
    }

    public Task<int?> AdoptEmbeddingModelAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, EmbeddingModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WriteInStageAsync<int?>("store.embedding_model.adopt", async (connection, ct) =>
        {
            // Counted and flagged under the write lock: no chunk can arrive between the two.
            await using var missing = connection.Command($"""
                SELECT count(*) FROM chunks c WHERE c.tenant_id = $tenant AND c.kb_id = $kb AND {WithoutVectorOf};
                """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id).With("$dimension", model.Dimension);
            var count = Convert.ToInt32(await missing.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            await using var adopt = connection.Command("""
                UPDATE knowledge_bases SET embedding_model = $model, embedding_dimension = $dimension, embeddings_incomplete = $incomplete
                WHERE tenant_id = $tenant AND id = $kb
                  AND (embedding_model IS NULL OR (embedding_model = $model AND embedding_dimension = $dimension));
                """).With("$tenant", tenant.Value).With("$kb", knowledgeBase.Value).With("$model", model.Id)
                .With("$dimension", model.Dimension).With("$incomplete", count > 0 ? 1 : 0);
            return await adopt.ExecuteNonQueryAsync(ct) == 0 ? null : count;
        }, cancellationToken);
    }
}
