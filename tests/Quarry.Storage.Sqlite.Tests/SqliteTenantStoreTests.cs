using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Tenancy;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>API keys (stored as hashes only) and per-tenant usage in the SQLite store.</summary>
public sealed class SqliteTenantStoreTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");

    private readonly string _directory = SqliteTestStore.NewDirectory();
    private readonly ServiceProvider _services;

    public SqliteTenantStoreTests()
    {
        var services = new ServiceCollection();
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _directory);
        _services = services.BuildServiceProvider();
    }

    private ITenantStore Tenants => _services.GetRequiredService<ITenantStore>();

    public void Dispose()
    {
        _services.Dispose();
        SqliteTestStore.DeleteDirectory(_directory);
    }

    [Fact]
    public async Task A_key_is_found_by_its_hash_only_until_it_is_revoked()
    {
        var (key, hash) = ApiKeys.Generate();
        var created = await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Writer, hash, ApiKeys.DisplayPrefix(key), "ci"), Ct);

        var found = await Tenants.FindApiKeyAsync(ApiKeys.Hash(key), Ct);
        found.Should().BeEquivalentTo(created);
        found!.Tenant.Should().Be(Acme);
        found.Role.Should().Be(ApiKeyRole.Writer);
        (await Tenants.FindApiKeyAsync(ApiKeys.Hash(key + "x"), Ct)).Should().BeNull();

        (await Tenants.RevokeApiKeyAsync(Globex, created.Id, Ct)).Should().BeFalse("a tenant cannot revoke another tenant's key");
        (await Tenants.RevokeApiKeyAsync(Acme, created.Id, Ct)).Should().BeTrue();
        (await Tenants.RevokeApiKeyAsync(Acme, created.Id, Ct)).Should().BeFalse();
        (await Tenants.FindApiKeyAsync(ApiKeys.Hash(key), Ct)).Should().BeNull();
        (await Tenants.ListApiKeysAsync(Acme, Ct)).Single().RevokedAt.Should().NotBeNull();
    }

    [Fact]
    public async Task A_key_limited_to_knowledge_bases_reads_back_its_list()
    {
        var (key, hash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), "", ["faq", "handbook"]), Ct);
        var (other, otherHash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, otherHash, ApiKeys.DisplayPrefix(other), ""), Ct);

        (await Tenants.FindApiKeyAsync(hash, Ct))!.KnowledgeBases.Should().Equal("faq", "handbook");
        (await Tenants.FindApiKeyAsync(otherHash, Ct))!.KnowledgeBases.Should().BeNull("an unlimited key may use every knowledge base");
    }

    [Fact]
    public async Task The_database_never_holds_the_key_itself()
    {
        var (key, hash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Admin, hash, ApiKeys.DisplayPrefix(key), "root"), Ct);
        _services.Dispose();
        var secret = key[ApiKeys.DisplayPrefix(key).Length..];
        foreach (var file in Directory.EnumerateFiles(_directory))
            (await File.ReadAllTextAsync(file)).Should().NotContain(secret);
    }

    [Fact]
    public async Task Keys_and_usage_are_per_tenant()
    {
        foreach (var tenant in new[] { Acme, Acme, Globex })
        {
            var (key, hash) = ApiKeys.Generate();
            await Tenants.CreateApiKeyAsync(new NewApiKey(tenant, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        }
        (await Tenants.ListApiKeysAsync(Acme, Ct)).Should().HaveCount(2).And.OnlyContain(k => k.Tenant == Acme);
        (await Tenants.ListApiKeysAsync(null, Ct)).Should().HaveCount(3);

        var store = _services.GetRequiredService<IDocumentStore>();
        var kb = await store.CreateKnowledgeBaseAsync(Acme, "docs", Ct);
        await store.UpsertDocumentAsync(TestDocument(kb, "a", 120), Ct);
        await store.UpsertDocumentAsync(TestDocument(kb, "b", 80), Ct);
        await _services.GetRequiredService<IIngestionJobStore>().EnqueueAsync(new NewIngestionJob(Acme, kb.Id, null, "{}"), Ct);

        (await Tenants.GetUsageAsync(Acme, Ct)).Should().Be(new TenantUsage(2, 200, 1));
        (await Tenants.GetUsageAsync(Globex, Ct)).Should().Be(new TenantUsage(0, 0, 0));
    }

    [Theory]
    [InlineData("reader", true)]
    [InlineData("Admin", true)]
    [InlineData("owner", false)]
    [InlineData("2", false)]
    [InlineData(null, false)]
    public void Roles_parse_by_name_only(string? value, bool valid) => ApiKeys.TryParseRole(value, out _).Should().Be(valid);

    private static DocumentWrite TestDocument(KnowledgeBase kb, string name, long size) => new()
    {
        TenantId = kb.TenantId,
        KnowledgeBaseId = kb.Id,
        DocumentId = DocumentIdentity.ForSource(kb.TenantId, kb.Id, "test://" + name),
        Title = name,
        SourceUri = "test://" + name,
        ContentType = "text/plain",
        SizeBytes = size,
        Checksum = DocumentIdentity.Checksum(name),
        NormalizedText = "text of " + name,
        Chunks = [new ChunkContent { Text = "text of " + name, Span = new TextSpan(0, 8 + name.Length), TokenCount = 3 }],
    };
}
