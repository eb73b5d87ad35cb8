using Quarry.Documents;

namespace Quarry.Tenancy;

/// <summary>
/// API keys and per-tenant usage. Keys are stored only as hashes (<see cref="ApiKeys.Hash"/>): the store can tell
/// which tenant and role a presented key belongs to, but cannot give a key back.
/// </summary>
public interface ITenantStore
{
    Task<ApiKeyRecord> CreateApiKeyAsync(NewApiKey key, CancellationToken cancellationToken);

    /// <summary>The active (not revoked) key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>Keys of one tenant, or of every tenant when <paramref name="tenant"/> is null, newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(TenantId? tenant, CancellationToken cancellationToken);

    /// <summary>False when the key is unknown in that tenant or already revoked.</summary>
    Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId, CancellationToken cancellationToken);

    /// <summary>A value that changes whenever any key is created or revoked, by any process sharing the store; servers
    /// poll it so that a key revoked elsewhere (another replica, the CLI) stops working within a poll interval.</summary>
    Task<string> GetApiKeysVersionAsync(CancellationToken cancellationToken);

    /// <summary>What the tenant holds now, for quotas: stored documents and bytes, plus unfinished ingestion jobs.</summary>
    Task<TenantUsage> GetUsageAsync(TenantId tenant, CancellationToken cancellationToken);
}

/// <summary>Roles are ordered: each includes the rights of the ones below it.</summary>
public enum ApiKeyRole
{
    /// <summary>Search and ask.</summary>
    Reader = 1,
    /// <summary>Also ingest and delete documents, cancel jobs.</summary>
    Writer = 2,
    /// <summary>Also manage knowledge bases and keys.</summary>
    Admin = 3,
}

/// <param name="KnowledgeBases">Names of the only knowledge bases the key may use, or null for all of the tenant's.</param>
public sealed record NewApiKey(TenantId Tenant, ApiKeyRole Role, string KeyHash, string Prefix, string Name, IReadOnlyList<string>? KnowledgeBases = null)
{
    /// <summary>Who the key acts as for document access lists.</summary>
    public KeyPrincipal Principal { get; init; } = KeyPrincipal.None;
}

/// <summary>The user and groups a key acts as when document access lists are checked.</summary>
/// <param name="Bypass">Reads every document of the tenant, whatever the access lists (audited on use).</param>
public sealed record KeyPrincipal(string? User, IReadOnlyList<string> Groups, bool Bypass)
{
    public static KeyPrincipal None { get; } = new(null, [], false);
}

public sealed record ApiKeyRecord(
    string Id,
    TenantId Tenant,
    ApiKeyRole Role,
    string Name,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    IReadOnlyList<string>? KnowledgeBases = null)
{
    public KeyPrincipal Principal { get; init; } = KeyPrincipal.None;
}

public sealed record TenantUsage(int Documents, long Bytes, int ActiveJobs);
