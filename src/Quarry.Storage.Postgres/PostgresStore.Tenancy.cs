using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : ITenantStore
{
    private const string KeyColumns = "id, tenant_id, role, name, prefix, created_at, revoked_at, knowledge_bases, user_id, groups, bypass";

    public async Task<ApiKeyRecord> CreateApiKeyAsync(NewApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyHash.Length != 64) throw new ArgumentException("The key hash must be a hex SHA-256.", nameof(key));
        var id = NewId("key_");
        var at = Now();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO api_keys (id, tenant_id, role, key_hash, prefix, name, created_at, knowledge_bases, user_id, groups, bypass)
                VALUES (@id, @tenant, @role, @hash, @prefix, @name, @at, @kbs, @user, @groups, @bypass)
                RETURNING {KeyColumns};
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<string>("id", id));
            insert.Parameters.Add(new NpgsqlParameter<string>("tenant", key.Tenant.Value));
            insert.Parameters.Add(new NpgsqlParameter<string>("role", ApiKeyRoleNames.ToName(key.Role)));
            insert.Parameters.Add(new NpgsqlParameter<string>("hash", key.KeyHash));
            insert.Parameters.Add(new NpgsqlParameter<string>("prefix", key.Prefix));
            insert.Parameters.Add(new NpgsqlParameter<string>("name", key.Name));
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", at));
            insert.Parameters.Add(new NpgsqlParameter("kbs", NpgsqlDbType.Jsonb)
            {
                Value = key.KnowledgeBases is null ? DBNull.Value : JsonSerializer.Serialize(key.KnowledgeBases),
            });
            insert.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)key.Principal.User ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter("groups", NpgsqlDbType.Jsonb)
            {
                Value = key.Principal.Groups.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(key.Principal.Groups),
            });
            insert.Parameters.Add(new NpgsqlParameter<bool>("bypass", key.Principal.Bypass));
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return ReadKey(reader);
        }, cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(string keyHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {KeyColumns} FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL;", connection);
        command.Parameters.Add(new NpgsqlParameter<string>("hash", keyHash));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKey(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantId? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {KeyColumns} FROM api_keys WHERE (@tenant::text IS NULL OR tenant_id = @tenant) ORDER BY created_at DESC, id;", connection);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)tenant?.Value ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(ReadKey(reader));
        return keys;
    }

    public async Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var at = Now();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var update = new NpgsqlCommand(
                "UPDATE api_keys SET revoked_at = @at WHERE tenant_id = @tenant AND id = @id AND revoked_at IS NULL;", connection, transaction);
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", at));
            update.Parameters.Add(new NpgsqlParameter<string>("tenant", tenant.Value));
            update.Parameters.Add(new NpgsqlParameter<string>("id", keyId));
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<string> GetApiKeysVersionAsync(CancellationToken cancellationToken)
    {
        // Keys are never deleted, only revoked: the count and the latest revocation together change on every write.
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(revoked_at), coalesce(extract(epoch FROM max(revoked_at))::text, '') FROM api_keys;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}:{reader.GetInt64(1)}:{reader.GetString(2)}");
    }

    public async Task<TenantUsage> GetUsageAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM documents WHERE tenant_id = @tenant),
                   (SELECT coalesce(sum(size_bytes), 0)::bigint FROM documents WHERE tenant_id = @tenant),
                   (SELECT count(*) FROM ingestion_jobs WHERE tenant_id = @tenant AND status IN ('queued', 'running'));
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", tenant.Value));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TenantUsage(checked((int)reader.GetInt64(0)), reader.GetInt64(1), checked((int)reader.GetInt64(2)));
    }

    private static ApiKeyRecord ReadKey(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        new TenantId(reader.GetString(1)),
        ApiKeyRoleNames.Parse(reader.GetString(2)),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
        reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(7)))
    {
        Principal = new KeyPrincipal(reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? [] : JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [],
            reader.GetBoolean(10)),
    };
}
