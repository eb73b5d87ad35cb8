using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>What only the PostgreSQL store shows about API keys and usage: the rows it writes, its unique index, its
/// timestamp precision and a second replica on the same database. The backend-neutral tests are in
/// <see cref="PostgresTenantStoreComplianceTests"/>.</summary>
public sealed class PostgresTenantStoreTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");

    private PostgresTestStore _store = null!;

    private ITenantStore Tenants => _store.Services.GetRequiredService<ITenantStore>();

    public async Task InitializeAsync() => _store = await PostgresTestStore.CreateAsync(TimeProvider.System);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task The_database_never_holds_the_key_itself()
    {
        var (key, hash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Admin, hash, ApiKeys.DisplayPrefix(key), "root"), Ct);
        var secret = key[ApiKeys.DisplayPrefix(key).Length..];

        await using var connection = new NpgsqlConnection(_store.ConnectionString);
        await connection.OpenAsync();
        await using var dump = new NpgsqlCommand("SELECT row_to_json(k)::text FROM api_keys k;", connection);
        var rows = (string)(await dump.ExecuteScalarAsync())!;
        rows.Should().Contain(hash).And.NotContain(secret);
    }

    [Fact]
    public async Task Keys_are_listed_per_tenant_newest_first()
    {
        var ids = new List<string>();
        foreach (var tenant in new[] { Acme, Acme, Globex })
        {
            var (key, hash) = ApiKeys.Generate();
            ids.Add((await Tenants.CreateApiKeyAsync(new NewApiKey(tenant, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct)).Id);
        }
        var acme = await Tenants.ListApiKeysAsync(Acme, Ct);
        acme.Should().HaveCount(2).And.OnlyContain(k => k.Tenant == Acme);
        acme.Should().BeInDescendingOrder(k => k.CreatedAt);
        (await Tenants.ListApiKeysAsync(null, Ct)).Select(k => k.Id).Should().BeEquivalentTo(ids);
    }

    [Fact]
    public async Task A_hash_that_is_not_sha256_is_refused_and_a_duplicate_hash_conflicts()
    {
        var bad = () => Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, "abc", "qk_", ""), Ct);
        await bad.Should().ThrowAsync<ArgumentException>();

        var (key, hash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        var again = () => Tenants.CreateApiKeyAsync(new NewApiKey(Globex, ApiKeyRole.Admin, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        await again.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == PostgresErrorCodes.UniqueViolation);
    }

    [Fact]
    public async Task Usage_counts_documents_bytes_and_unfinished_jobs_of_the_tenant()
    {
        await _store.Inner.Database.EnsureReadyAsync(Ct);
        await using (var connection = new NpgsqlConnection(_store.ConnectionString))
        {
            // Rows written directly: usage reads the tables, whichever part of the store wrote them.
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand("""
                INSERT INTO knowledge_bases (id, tenant_id, name, created_at) VALUES ('kb_1', 'acme', 'docs', now());
                INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version, created_at, updated_at)
                VALUES ('acme', 'a', 'kb_1', 'test://a', 'a', 'text/plain', 120, 'x', 1, now(), now()),
                       ('acme', 'b', 'kb_1', 'test://b', 'b', 'text/plain', 80, 'y', 1, now(), now());
                INSERT INTO ingestion_jobs (id, tenant_id, kb_id, status, payload, created_at, updated_at)
                VALUES ('j1', 'acme', 'kb_1', 'queued', '{}', now(), now()), ('j2', 'acme', 'kb_1', 'running', '{}', now(), now()),
                       ('j3', 'acme', 'kb_1', 'succeeded', '{}', now(), now()), ('j4', 'globex', 'kb_9', 'failed', '{}', now(), now());
                """, connection);
            await seed.ExecuteNonQueryAsync();
        }

        (await Tenants.GetUsageAsync(Acme, Ct)).Should().Be(new TenantUsage(2, 200, 2));
        (await Tenants.GetUsageAsync(Globex, Ct)).Should().Be(new TenantUsage(0, 0, 0));
    }

    [Fact]
    public async Task Created_and_revoked_times_come_from_the_clock_and_read_back_equal()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(12_345_678));
        await using var store = PostgresTestStore.Open(_store.ConnectionString, clock);
        var tenants = store.Services.GetRequiredService<ITenantStore>();
        var (key, hash) = ApiKeys.Generate();

        var created = await tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        await tenants.RevokeApiKeyAsync(Acme, created.Id, Ct);

        created.CreatedAt.Should().Be(clock.GetUtcNow().AddTicks(-8), "PostgreSQL keeps microseconds");
        (await tenants.ListApiKeysAsync(Acme, Ct)).Single().Should().BeEquivalentTo(created with { RevokedAt = created.CreatedAt });
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
