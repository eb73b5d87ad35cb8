using Npgsql;
using Quarry.Diagnostics;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IDocumentStore
{
    public Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken) =>
        CreateKnowledgeBaseAsync(tenant, name, hidden: false, cancellationToken);

    public async Task<KnowledgeBase> CreateKnowledgeBaseAsync(TenantId tenant, string name, bool hidden, CancellationToken cancellationToken)
    {
        if (!KnowledgeBaseNames.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid knowledge base name: use letters, digits, '-', '_' and '.', at most {KnowledgeBaseNames.MaxLength} characters.", nameof(name));

        var knowledgeBase = new KnowledgeBase(new KnowledgeBaseId(NewId("kb_")), tenant, name, Now(), Hidden: hidden);
        try
        {
            return await WriteInStageAsync("store.kb.create", async (connection, transaction, ct) =>
            {
                await using var insert = connection.Command(
                    "INSERT INTO knowledge_bases (id, tenant_id, name, created_at, hidden) VALUES (@id, @tenant, @name, @at, @hidden);", transaction)
                    .Arg("id", knowledgeBase.Id.Value).Arg("tenant", tenant.Value).Arg("name", name).Arg("at", knowledgeBase.CreatedAt)
                    .Arg("hidden", hidden);
                await insert.ExecuteNonQueryAsync(ct);
                return knowledgeBase;
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The unique (tenant, name) constraint decides between concurrent creators, whatever replica they run on.
            throw new StoreConflictException($"A knowledge base named '{name}' already exists.");
        }
    }

    public async Task<KnowledgeBase?> UpdateKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, KnowledgeBaseChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Name is not null && !KnowledgeBaseNames.IsValid(change.Name))
            throw new ArgumentException($"'{change.Name}' is not a valid knowledge base name: use letters, digits, '-', '_' and '.', at most {KnowledgeBaseNames.MaxLength} characters.", nameof(change));
        try
        {
            return await WriteInStageAsync("store.kb.update", async (connection, transaction, ct) =>
            {
                var sets = new List<string>();
                if (change.Name is not null) sets.Add("name = @name");
                if (change.Hidden is not null) sets.Add("hidden = @hidden");
                if (sets.Count > 0)
                {
                    await using var update = connection.Command(
                        $"UPDATE knowledge_bases SET {string.Join(", ", sets)} WHERE tenant_id = @tenant AND id = @kb;", transaction)
                        .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
                    if (change.Name is not null) update.Arg("name", change.Name);
                    if (change.Hidden is { } hidden) update.Arg("hidden", hidden);
                    if (await update.ExecuteNonQueryAsync(ct) == 0) return null;
                }
                await using var read = connection.Command(DocumentRows.KnowledgeBaseColumns + " WHERE k.tenant_id = @tenant AND k.id = @kb;", transaction)
                    .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
                return (await DocumentRows.ReadAllAsync(read, DocumentRows.KnowledgeBase, ct)).SingleOrDefault();
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StoreConflictException($"A knowledge base named '{change.Name}' already exists.");
        }
    }

    public async Task<KnowledgeBase?> FindKnowledgeBaseAsync(TenantId tenant, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(DocumentRows.KnowledgeBaseColumns + " WHERE k.tenant_id = @tenant AND k.name = @name;")
            .Arg("tenant", tenant.Value).Arg("name", name);
        return (await DocumentRows.ReadAllAsync(command, DocumentRows.KnowledgeBase, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<KnowledgeBase>> ListKnowledgeBasesAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        // COLLATE "C": the same order as SQLite's binary comparison, whatever the database's collation.
        await using var command = connection.Command(DocumentRows.KnowledgeBaseColumns + " WHERE k.tenant_id = @tenant ORDER BY k.name COLLATE \"C\";")
            .Arg("tenant", tenant.Value);
        return await DocumentRows.ReadAllAsync(command, DocumentRows.KnowledgeBase, cancellationToken);
    }

    public Task<bool> DeleteKnowledgeBaseAsync(TenantId tenant, KnowledgeBaseId knowledgeBase, CancellationToken cancellationToken) =>
        WriteInStageAsync("store.kb.delete", async (connection, transaction, ct) =>
        {
            // The row lock waits for upserts in flight (they hold FOR SHARE) and keeps new ones out, so the documents
            // deleted here are all there are: each is named in the change feed, none appears after.
            await CancelJobsAsync(connection, transaction, tenant, "kb_id", knowledgeBase.Value, "the knowledge base was deleted", ct);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("SELECT 1 FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb FOR UPDATE;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            // Versions, tags, chunks (with their full-text entries) and embeddings go by ON DELETE CASCADE.
            batch.Statement("DELETE FROM documents WHERE tenant_id = @tenant AND kb_id = @kb RETURNING id;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            batch.Statement("DELETE FROM knowledge_bases WHERE tenant_id = @tenant AND id = @kb;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            // Its knowledge version goes with it (the documents' delete triggers have just added to it).
            batch.Statement("DELETE FROM knowledge_changes WHERE tenant_id = @tenant AND kb_id = @kb;")
                .Arg("tenant", tenant.Value).Arg("kb", knowledgeBase.Value);
            var documents = new List<string>();
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                await reader.NextResultAsync(ct);
                while (await reader.ReadAsync(ct))
                    documents.Add(reader.GetString(0));
            }
            var deleted = batch.BatchCommands[2].RecordsAffected > 0;
            await RecordChangesAsync(connection, transaction, tenant, [.. documents], ct);
            return deleted;
        }, cancellationToken);
}
