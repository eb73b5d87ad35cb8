using Microsoft.Data.Sqlite;
using Quarry.Conversations;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite;

/// <summary>Conversation sessions. Every statement names the tenant and the owner, so a session id from another
/// tenant or caller finds nothing.</summary>
internal sealed partial class SqliteStore : IConversationStore
{
    private const string SessionColumns = "id, tenant_id, owner, knowledge_base, title, created_at, updated_at, turn_count, bytes";

    public Task CreateAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return _database.WriteAsync(async (connection, ct) =>
        {
            await using var insert = connection.Command($"""
                INSERT INTO sessions ({SessionColumns}) VALUES ($id, $tenant, $owner, $kb, $title, $created, $updated, 0, 0);
                """).With("$id", conversation.Id).With("$tenant", conversation.Tenant.Value).With("$owner", conversation.Owner)
                .With("$kb", conversation.KnowledgeBase).With("$title", conversation.Title)
                .With("$created", UnixTime.ToMs(conversation.CreatedAt)).With("$updated", UnixTime.ToMs(conversation.UpdatedAt));
            return await insert.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    public async Task<Conversation?> GetAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        return await ReadSessionAsync(connection, tenant, owner, id, cancellationToken);
    }

    public async Task<IReadOnlyList<Conversation>> ListAsync(TenantId tenant, string owner, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {SessionColumns} FROM sessions WHERE tenant_id = $tenant AND owner = $owner
            ORDER BY updated_at DESC, id LIMIT $limit;
            """).With("$tenant", tenant.Value).With("$owner", owner).With("$limit", limit);
        return await ReadSessionsAsync(command, cancellationToken);
    }

    public async Task<int> CountAsync(TenantId tenant, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("SELECT count(*) FROM sessions WHERE tenant_id = $tenant AND owner = $owner;")
            .With("$tenant", tenant.Value).With("$owner", owner);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT t.ordinal, t.question, t.rewritten_query, t.answer, t.citations, t.created_at
            FROM session_turns t JOIN sessions s ON s.tenant_id = t.tenant_id AND s.id = t.session_id
            WHERE s.tenant_id = $tenant AND s.id = $id AND s.owner = $owner
            ORDER BY t.ordinal;
            """).With("$tenant", tenant.Value).With("$id", id).With("$owner", owner);
        var turns = new List<ConversationTurn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            turns.Add(new ConversationTurn(reader.GetInt32(0), reader.GetString(1), reader.GetNullableString(2), reader.GetString(3),
                ConversationJson.Citations(reader.GetString(4)), UnixTime.FromMs(reader.GetInt64(5))));
        }
        return turns;
    }

    public Task<Conversation?> UpdateAsync(TenantId tenant, string owner, string id, string? title, string? knowledgeBase, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, ct) =>
        {
            await using var update = connection.Command("""
                UPDATE sessions SET title = coalesce($title, title), knowledge_base = coalesce($kb, knowledge_base), updated_at = $now
                WHERE tenant_id = $tenant AND id = $id AND owner = $owner;
                """).With("$title", title).With("$kb", knowledgeBase).With("$now", UnixTime.ToMs(now))
                .With("$tenant", tenant.Value).With("$id", id).With("$owner", owner);
            if (await update.ExecuteNonQueryAsync(ct) == 0) return null;
            return await ReadSessionAsync(connection, tenant, owner, id, ct);
        }, cancellationToken);

    public Task<bool> DeleteAsync(TenantId tenant, string owner, string id, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, ct) =>
        {
            await using var delete = connection.Command("DELETE FROM sessions WHERE tenant_id = $tenant AND id = $id AND owner = $owner;")
                .With("$tenant", tenant.Value).With("$id", id).With("$owner", owner);
            return await delete.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    public Task<Conversation?> AppendTurnAsync(TenantId tenant, string owner, string id, ConversationTurn turn, ConversationLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(limits);
        return _database.WriteAsync(async (connection, ct) =>
        {
            if (await ReadSessionAsync(connection, tenant, owner, id, ct) is null) return null;
            var kept = new List<(int Ordinal, long Bytes)>();
            await using (var read = connection.Command("SELECT ordinal, bytes FROM session_turns WHERE tenant_id = $tenant AND session_id = $id ORDER BY ordinal;")
                .With("$tenant", tenant.Value).With("$id", id))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) kept.Add((reader.GetInt32(0), reader.GetInt64(1)));
            }
            var ordinal = kept.Count == 0 ? 1 : kept[^1].Ordinal + 1;
            var bytes = turn.Bytes;
            await using (var insert = connection.Command("""
                INSERT INTO session_turns (tenant_id, session_id, ordinal, question, rewritten_query, answer, citations, bytes, created_at)
                VALUES ($tenant, $id, $ordinal, $question, $rewritten, $answer, $citations, $bytes, $at);
                """).With("$tenant", tenant.Value).With("$id", id).With("$ordinal", ordinal).With("$question", turn.Question)
                .With("$rewritten", turn.RewrittenQuery).With("$answer", turn.Answer).With("$citations", ConversationJson.Citations(turn.Citations))
                .With("$bytes", bytes).With("$at", UnixTime.ToMs(turn.CreatedAt)))
            {
                await insert.ExecuteNonQueryAsync(ct);
            }
            kept.Add((ordinal, bytes));
            var (firstKept, count, total) = ConversationTrim.Keep(kept, limits);
            await using (var trim = connection.Command("DELETE FROM session_turns WHERE tenant_id = $tenant AND session_id = $id AND ordinal < $first;")
                .With("$tenant", tenant.Value).With("$id", id).With("$first", firstKept))
            {
                await trim.ExecuteNonQueryAsync(ct);
            }
            await using (var update = connection.Command("""
                UPDATE sessions SET turn_count = $count, bytes = $bytes, updated_at = $now WHERE tenant_id = $tenant AND id = $id;
                """).With("$count", count).With("$bytes", total).With("$now", UnixTime.ToMs(turn.CreatedAt)).With("$tenant", tenant.Value).With("$id", id))
            {
                await update.ExecuteNonQueryAsync(ct);
            }
            return await ReadSessionAsync(connection, tenant, owner, id, ct);
        }, cancellationToken);
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, ct) =>
        {
            await using var delete = connection.Command("DELETE FROM sessions WHERE updated_at < $before;").With("$before", UnixTime.ToMs(before));
            return await delete.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    private static async Task<Conversation?> ReadSessionAsync(SqliteConnection connection, TenantId tenant, string owner, string id, CancellationToken ct)
    {
        await using var command = connection.Command($"SELECT {SessionColumns} FROM sessions WHERE tenant_id = $tenant AND id = $id AND owner = $owner;")
            .With("$tenant", tenant.Value).With("$id", id).With("$owner", owner);
        return (await ReadSessionsAsync(command, ct)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<Conversation>> ReadSessionsAsync(SqliteCommand command, CancellationToken ct)
    {
        var sessions = new List<Conversation>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(new Conversation(reader.GetString(0), new TenantId(reader.GetString(1)), reader.GetString(2), reader.GetNullableString(3),
                reader.GetString(4), UnixTime.FromMs(reader.GetInt64(5)), UnixTime.FromMs(reader.GetInt64(6)), reader.GetInt32(7), reader.GetInt64(8)));
        }
        return sessions;
    }
}
