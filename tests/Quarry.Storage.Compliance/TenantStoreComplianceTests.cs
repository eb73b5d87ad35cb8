using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Tenancy;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="ITenantStore"/> must do: keep API keys as hashes, scope them and usage to their
/// tenant. Usage is checked against documents and jobs written through the store's own document and job interfaces.</summary>
public abstract class TenantStoreComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, ITenantStore, IDocumentStore, IIngestionJobStore
{
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");

    [Fact]
    public async Task A_key_is_found_by_its_hash_only_until_it_is_revoked()
    {
        var (key, hash) = ApiKeys.Generate();
        var created = await Store.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Writer, hash, ApiKeys.DisplayPrefix(key), "ci"), Ct);

        var found = await Store.FindApiKeyAsync(ApiKeys.Hash(key), Ct);
        found.Should().BeEquivalentTo(created);
        found!.Tenant.Should().Be(Acme);
        found.Role.Should().Be(ApiKeyRole.Writer);
        created.Id.Should().MatchRegex("^key_[0-9a-f]{24}$");
        (await Store.FindApiKeyAsync(ApiKeys.Hash(key + "x"), Ct)).Should().BeNull();

        (await Store.RevokeApiKeyAsync(Globex, created.Id, Ct)).Should().BeFalse("a tenant cannot revoke another tenant's key");
        (await Store.RevokeApiKeyAsync(Acme, created.Id, Ct)).Should().BeTrue();
        (await Store.RevokeApiKeyAsync(Acme, created.Id, Ct)).Should().BeFalse();
        (await Store.FindApiKeyAsync(ApiKeys.Hash(key), Ct)).Should().BeNull();
        (await Store.ListApiKeysAsync(Acme, Ct)).Single().RevokedAt.Should().NotBeNull();
    }

    [Fact]
    public async Task The_keys_version_changes_on_every_create_and_revoke_and_only_then()
    {
        var versions = new List<string> { await Store.GetApiKeysVersionAsync(Ct) };
        var (key, hash) = ApiKeys.Generate();
        var created = await Store.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        versions.Add(await Store.GetApiKeysVersionAsync(Ct));
        (await Store.GetApiKeysVersionAsync(Ct)).Should().Be(versions[^1], "reading changes nothing");
        await Store.RevokeApiKeyAsync(Acme, created.Id, Ct);
        versions.Add(await Store.GetApiKeysVersionAsync(Ct));
        await Store.RevokeApiKeyAsync(Acme, created.Id, Ct);
        (await Store.GetApiKeysVersionAsync(Ct)).Should().Be(versions[^1], "revoking a revoked key is not a change");
        versions.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_key_limited_to_knowledge_bases_reads_back_its_list()
    {
        var (key, hash) = ApiKeys.Generate();
        await Store.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), "", ["faq", "handbook"]), Ct);
        var (other, otherHash) = ApiKeys.Generate();
        await Store.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Reader, otherHash, ApiKeys.DisplayPrefix(other), ""), Ct);

        (await Store.FindApiKeyAsync(hash, Ct))!.KnowledgeBases.Should().Equal("faq", "handbook");
        (await Store.FindApiKeyAsync(otherHash, Ct))!.KnowledgeBases.Should().BeNull("an unlimited key may use every knowledge base");
    }

    [Fact]
    public async Task Keys_and_usage_are_per_tenant()
    {
        foreach (var tenant in new[] { Acme, Acme, Globex })
        {
            var (key, hash) = ApiKeys.Generate();
            await Store.CreateApiKeyAsync(new NewApiKey(tenant, ApiKeyRole.Reader, hash, ApiKeys.DisplayPrefix(key), ""), Ct);
        }
        (await Store.ListApiKeysAsync(Acme, Ct)).Should().HaveCount(2).And.OnlyContain(k => k.Tenant == Acme);
        (await Store.ListApiKeysAsync(null, Ct)).Should().HaveCount(3);

        var kb = await Store.CreateKnowledgeBaseAsync(Acme, "docs", Ct);
        await Store.UpsertDocumentAsync(SizedDocument(kb, "a", 120), Ct);
        await Store.UpsertDocumentAsync(SizedDocument(kb, "b", 80), Ct);
        await Store.EnqueueAsync(new NewIngestionJob(Acme, kb.Id, null, "{}"), Ct);

        (await Store.GetUsageAsync(Acme, Ct)).Should().Be(new TenantUsage(2, 200, 1));
        (await Store.GetUsageAsync(Globex, Ct)).Should().Be(new TenantUsage(0, 0, 0));
    }

    // Usage sums the declared size, not the text length, so the size is set explicitly.
    private static DocumentWrite SizedDocument(KnowledgeBase kb, string name, long size) => new()
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
