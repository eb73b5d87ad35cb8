using Microsoft.Data.Sqlite;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : ITenantStore
{
    private const string KeyColumns = "id, tenant_id, role, name, prefix, created_at, revoked_at, knowledge_bases, user_id, groups, bypass";

    public async Task<ApiKeyRecord> CreateApiKeyAsync(NewApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyHash.Length != 64) throw new ArgumentException("The key hash must be a hex SHA-256.", nameof(key));
        var id = NewId("key_");
        var at = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var insert = connection.Command($"""
                INSERT INTO api_keys (id, tenant_id, role, key_hash, prefix, name, created_at, knowledge_bases, user_id, groups, bypass)
                VALUES ($id, $tenant, $role, $hash, $prefix, $name, $at, $kbs, $user, $groups, $bypass)
                RETURNING {KeyColumns};
                """).With("$id", id).With("$tenant", key.Tenant.Value).With("$role", ApiKeyRoleNames.ToName(key.Role))
                .With("$hash", key.KeyHash).With("$prefix", key.Prefix).With("$name", key.Name).With("$at", at)
                .With("$kbs", key.KnowledgeBases is null ? null : SqlFilters.JsonArray(key.KnowledgeBases))
                .With("$user", key.Principal.User).With("$groups", key.Principal.Groups.Count == 0 ? null : SqlFilters.JsonArray(key.Principal.Groups))
                .With("$bypass", key.Principal.Bypass ? 1 : 0);
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return ReadKey(reader);
        }, cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {KeyColumns} FROM api_keys WHERE key_hash = $hash AND revoked_at IS NULL;")
            .With("$hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadKey(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantId? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {KeyColumns} FROM api_keys WHERE ($tenant IS NULL OR tenant_id = $tenant) ORDER BY created_at DESC, id;
            """).With("$tenant", tenant?.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(ReadKey(reader));
        return keys;
    }

    public async Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken)
    {
        var at = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var update = connection.Command("""
                UPDATE api_keys SET revoked_at = $at WHERE tenant_id = $tenant AND id = $id AND revoked_at IS NULL;
                """).With("$at", at).With("$tenant", tenant.Value).With("$id", keyId);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<string> GetApiKeysVersionAsync(CancellationToken cancellationToken)
    {
        // Keys are never deleted, only revoked: the count and the latest revocation together change on every write.
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("SELECT count(*), count(revoked_at), coalesce(max(revoked_at), 0) FROM api_keys;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}:{reader.GetInt64(1)}:{reader.GetInt64(2)}");
    }

    public async Task<TenantUsage> GetUsageAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT count(*) FROM documents WHERE tenant_id = $tenant),
                   (SELECT coalesce(sum(size_bytes), 0) FROM documents WHERE tenant_id = $tenant),
                   (SELECT count(*) FROM ingestion_jobs WHERE tenant_id = $tenant AND status IN ('queued', 'running'));
            """).With("$tenant", tenant.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TenantUsage(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt32(2));
    }

    private static ApiKeyRecord ReadKey(SqliteDataReader reader) => new(
        reader.GetString(0),
        new TenantId(reader.GetString(1)),
        ApiKeyRoleNames.Parse(reader.GetString(2)),
        reader.GetString(3),
        reader.GetString(4),
        UnixTime.FromMs(reader.GetInt64(5)),
        reader.GetNullableInt64(6) is { } revoked ? UnixTime.FromMs(revoked) : null,
        reader.GetNullableString(7) is { } kbs ? System.Text.Json.JsonSerializer.Deserialize<string[]>(kbs) : null)
    {
        Principal = new KeyPrincipal(reader.GetNullableString(8),
            reader.GetNullableString(9) is { } groups ? System.Text.Json.JsonSerializer.Deserialize<string[]>(groups) ?? [] : [],
            reader.GetInt64(10) != 0),
    };
}
