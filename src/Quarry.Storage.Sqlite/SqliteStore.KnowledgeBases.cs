using Microsoft.Data.Sqlite;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const int SqliteConstraintUnique = 2067;

    private const string KnowledgeBaseColumns = """
        SELECT k.id, k.tenant_id, k.name, k.created_at,
               (SELECT count(*) FROM documents d WHERE d.tenant_id = k.tenant_id AND d.kb_id = k.id),
               k.embedding_model, k.embedding_dimension, k.embeddings_incomplete, k.hidden
        FROM knowledge_bases k
        """;

    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) =>
        CreateKnowledgeBaseAsync(tenant, name, hidden: false, cancellationToken);

    public async Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, bool hidden, CancellationToken cancellationToken)
    {
        if (!KnowledgeBaseNames.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid knowledge base name: use letters, digits, '-', '_' and '.', at most {KnowledgeBaseNames.MaxLength} characters.", nameof(name));

        using var stage = QuarryTelemetry.StartStage("store.kb.create");
        var knowledgeBase = new KnowledgeBase(new KnowledgeBaseId(NewId("kb_")), tenant, name, Now(), Hidden: hidden);
        try
        {
            return await _database.WriteAsync(async (connection, ct) =>
            {
                await using var exists = connection.Command("SELECT 1 FROM knowledge_bases WHERE tenant_id = $tenant AND name = $name;")
                    .With("$tenant", tenant.Value).With("$name", name);
                if (await exists.ExecuteScalarAsync(ct) is not null)
                    throw KnowledgeBaseConflict(name);

                await using var insert = connection.Command("INSERT INTO knowledge_bases (id, tenant_id, name, created_at, hidden) VALUES ($id, $tenant, $name, $at, $hidden);")
                    .With("$id", knowledgeBase.Id.Value).With("$tenant", tenant.Value).With("$name", name)
                    .With("$at", UnixTime.ToMs(knowledgeBase.CreatedAt)).With("$hidden", hidden ? 1 : 0);
                await insert.ExecuteNonQueryAsync(ct);
                return knowledgeBase;
            }, cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            // Another process won the race between our check and insert.
            throw KnowledgeBaseConflict(name);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    public async Task<KnowledgeBase?> UpdateKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, KnowledgeBaseChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Name is not null && !KnowledgeBaseNames.IsValid(change.Name))
            throw new ArgumentException($"'{change.Name}' is not a valid knowledge base name: use letters, digits, '-', '_' and '.', at most {KnowledgeBaseNames.MaxLength} characters.", nameof(change));

        using var stage = QuarryTelemetry.StartStage("store.kb.update");
        try
        {
            return await _database.WriteAsync(async (connection, ct) =>
            {
                if (change.Name is not null)
                {
                    await using var exists = connection.Command("SELECT 1 FROM knowledge_bases WHERE tenant_id = $tenant AND name = $name AND id <> $id;")
                        .With("$tenant", tenant.Value).With("$name", change.Name).With("$id", knowledgeBase.Value);
                    if (await exists.ExecuteScalarAsync(ct) is not null)
                        throw KnowledgeBaseConflict(change.Name);
                }
                await using var update = connection.Command(
                    "UPDATE knowledge_bases SET name = coalesce($name, name), hidden = coalesce($hidden, hidden) WHERE tenant_id = $tenant AND id = $id;")
                    .With("$tenant", tenant.Value).With("$id", knowledgeBase.Value).With("$name", change.Name)
                    .With("$hidden", change.Hidden is { } hidden ? (hidden ? 1 : 0) : null);
                if (await update.ExecuteNonQueryAsync(ct) == 0) return null;
                await using var read = connection.Command(KnowledgeBaseColumns + " WHERE k.tenant_id = $tenant AND k.id = $id;")
                    .With("$tenant", tenant.Value).With("$id", knowledgeBase.Value);
                await using var reader = await read.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct) ? ReadKnowledgeBase(reader) : null;
            }, cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            throw KnowledgeBaseConflict(change.Name ?? "");
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    private static StoreConflictException KnowledgeBaseConflict(string name) =>
        new($"A knowledge base named '{name}' already exists.");

    public async Task<KnowledgeBase?> FindKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command(KnowledgeBaseColumns + " WHERE k.tenant_id = $tenant AND k.name = $name;")
            .With("$tenant", tenant.Value).With("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKnowledgeBase(reader) : null;
    }

    public async Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command(KnowledgeBaseColumns + " WHERE k.tenant_id = $tenant ORDER BY k.name;")
            .With("$tenant", tenant.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<KnowledgeBase>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add(ReadKnowledgeBase(reader));
        return result;
    }

    public async Task<bool> DeleteKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken)
    {
        using var stage = QuarryTelemetry.StartStage("store.kb.delete");
        try
        {
            // Documents, versions, tags, chunks, FTS rows (trigger) and embeddings go by ON DELETE CASCADE.
            return await _database.WriteAsync(async (connection, ct) =>
            {
                await CancelJobsAsync(connection, tenant, "kb_id", knowledgeBase.Value, "the knowledge base was deleted", ct);
                await using var delete = connection.Command("DELETE FROM knowledge_bases WHERE tenant_id = $tenant AND id = $id;")
                    .With("$tenant", tenant.Value).With("$id", knowledgeBase.Value);
                var deleted = await delete.ExecuteNonQueryAsync(ct) > 0;
                await PruneIndexChangesAsync(connection, ct);
                return deleted;
            }, cancellationToken);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    private static KnowledgeBase ReadKnowledgeBase(SqliteDataReader reader) => new(
        new KnowledgeBaseId(reader.GetString(0)),
        new TenantId(reader.GetString(1)),
        reader.GetString(2),
        UnixTime.FromMs(reader.GetInt64(3)),
        reader.GetInt32(4),
        reader.IsDBNull(5) ? null : new EmbeddingModel(reader.GetString(5), reader.GetInt32(6)),
        reader.GetInt64(7) != 0,
        reader.GetInt64(8) != 0);
}
