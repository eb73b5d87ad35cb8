using Npgsql;
using NpgsqlTypes;
using Quarry.Conversations;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>Conversation sessions, shared by every replica. Every statement names the tenant and the owner, so a
/// session id from another tenant or caller finds nothing; an append locks its session row, so two replicas
/// appending to one session take turns.</summary>
internal sealed partial class PostgresStore : IConversationStore
{
    private const string SessionColumns = "id, tenant_id, owner, knowledge_base, title, created_at, updated_at, turn_count, bytes";

    public Task CreateAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var insert = connection.Command($"""
                INSERT INTO sessions ({SessionColumns}) VALUES (@id, @tenant, @owner, @kb, @title, @created, @updated, 0, 0);
                """, transaction).Arg("id", conversation.Id).Arg("tenant", conversation.Tenant.Value).Arg("owner", conversation.Owner)
                .NullableText("kb", conversation.KnowledgeBase).Arg("title", conversation.Title)
                .Arg("created", conversation.CreatedAt.ToUniversalTime()).Arg("updated", conversation.UpdatedAt.ToUniversalTime());
            return await insert.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    public async Task<Conversation?> GetAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await ReadSessionAsync(connection, null, tenant, owner, id, lockRow: false, cancellationToken);
    }

    public async Task<IReadOnlyList<Conversation>> ListAsync(TenantId tenant, string owner, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {SessionColumns} FROM sessions WHERE tenant_id = @tenant AND owner = @owner
            ORDER BY updated_at DESC, id LIMIT @limit;
            """).Arg("tenant", tenant.Value).Arg("owner", owner).Arg("limit", limit);
        return await ReadSessionsAsync(command, cancellationToken);
    }

    public async Task<int> CountAsync(TenantId tenant, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT count(*)::int FROM sessions WHERE tenant_id = @tenant AND owner = @owner;")
            .Arg("tenant", tenant.Value).Arg("owner", owner);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT t.ordinal, t.question, t.rewritten_query, t.answer, t.citations::text, t.created_at
            FROM session_turns t JOIN sessions s ON s.tenant_id = t.tenant_id AND s.id = t.session_id
            WHERE s.tenant_id = @tenant AND s.id = @id AND s.owner = @owner
            ORDER BY t.ordinal;
            """).Arg("tenant", tenant.Value).Arg("id", id).Arg("owner", owner);
        var turns = new List<ConversationTurn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            turns.Add(new ConversationTurn(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                ConversationJson.Citations(reader.GetString(4)), reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return turns;
    }

    public Task<Conversation?> UpdateAsync(TenantId tenant, string owner, string id, string? title, string? knowledgeBase, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var update = connection.Command("""
                UPDATE sessions SET title = coalesce(@title, title), knowledge_base = coalesce(@kb, knowledge_base), updated_at = @now
                WHERE tenant_id = @tenant AND id = @id AND owner = @owner;
                """, transaction).NullableText("title", title).NullableText("kb", knowledgeBase).Arg("now", now.ToUniversalTime())
                .Arg("tenant", tenant.Value).Arg("id", id).Arg("owner", owner);
            if (await update.ExecuteNonQueryAsync(ct) == 0) return null;
            return await ReadSessionAsync(connection, transaction, tenant, owner, id, lockRow: false, ct);
        }, cancellationToken);

    public Task<bool> DeleteAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var delete = connection.Command("DELETE FROM sessions WHERE tenant_id = @tenant AND id = @id AND owner = @owner;", transaction)
                .Arg("tenant", tenant.Value).Arg("id", id).Arg("owner", owner);
            return await delete.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    public Task<Conversation?> AppendTurnAsync(TenantId tenant, string owner, string id, ConversationTurn turn, ConversationLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(limits);
        return _database.WriteAsync(async (connection, transaction, ct) =>
        {
            if (await ReadSessionAsync(connection, transaction, tenant, owner, id, lockRow: true, ct) is null) return null;
            var kept = new List<(int Ordinal, long Bytes)>();
            await using (var read = connection.Command("SELECT ordinal, bytes FROM session_turns WHERE tenant_id = @tenant AND session_id = @id ORDER BY ordinal;", transaction)
                .Arg("tenant", tenant.Value).Arg("id", id))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) kept.Add((reader.GetInt32(0), reader.GetInt64(1)));
            }
            var ordinal = kept.Count == 0 ? 1 : kept[^1].Ordinal + 1;
            var bytes = turn.Bytes;
            kept.Add((ordinal, bytes));
            var (firstKept, count, total) = ConversationTrim.Keep(kept, limits);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.Statement("""
                INSERT INTO session_turns (tenant_id, session_id, ordinal, question, rewritten_query, answer, citations, bytes, created_at)
                VALUES (@tenant, @id, @ordinal, @question, @rewritten, @answer, @citations::jsonb, @bytes, @at);
                """).Arg("tenant", tenant.Value).Arg("id", id).Arg("ordinal", ordinal).Arg("question", turn.Question)
                .Text("rewritten", turn.RewrittenQuery).Arg("answer", turn.Answer).Arg("citations", ConversationJson.Citations(turn.Citations))
                .Arg("bytes", bytes).Arg("at", turn.CreatedAt.ToUniversalTime());
            batch.Statement("DELETE FROM session_turns WHERE tenant_id = @tenant AND session_id = @id AND ordinal < @first;")
                .Arg("tenant", tenant.Value).Arg("id", id).Arg("first", firstKept);
            batch.Statement("UPDATE sessions SET turn_count = @count, bytes = @bytes, updated_at = @now WHERE tenant_id = @tenant AND id = @id;")
                .Arg("count", count).Arg("bytes", total).Arg("now", turn.CreatedAt.ToUniversalTime()).Arg("tenant", tenant.Value).Arg("id", id);
            await batch.ExecuteNonQueryAsync(ct);
            return await ReadSessionAsync(connection, transaction, tenant, owner, id, lockRow: false, ct);
        }, cancellationToken);
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var delete = connection.Command("DELETE FROM sessions WHERE updated_at < @before;", transaction).Arg("before", before.ToUniversalTime());
            return await delete.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    private static async Task<Conversation?> ReadSessionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, TenantId tenant, string owner, string id,
        bool lockRow, CancellationToken ct)
    {
        await using var command = connection.Command($"""
            SELECT {SessionColumns} FROM sessions WHERE tenant_id = @tenant AND id = @id AND owner = @owner{(lockRow ? " FOR UPDATE" : "")};
            """, transaction).Arg("tenant", tenant.Value).Arg("id", id).Arg("owner", owner);
        return (await ReadSessionsAsync(command, ct)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<Conversation>> ReadSessionsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var sessions = new List<Conversation>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(new Conversation(reader.GetString(0), new TenantId(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt32(7), reader.GetInt64(8)));
        }
        return sessions;
    }
}

file static class NullableParameters
{
    public static NpgsqlCommand NullableText(this NpgsqlCommand command, string name, string? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : StoreCommands.Clean(value) });
        return command;
    }
}
