using Quarry.Caching;
using Quarry.Documents;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

public abstract partial class DocumentStoreComplianceTests<TStore>
{
    [Fact]
    public async Task The_knowledge_version_changes_with_every_committed_write_to_its_knowledge_base_only()
    {
        var versions = (IKnowledgeVersions)Store;
        var manuals = await Store.CreateKnowledgeBaseAsync(TenantA, "manuals", Ct);
        var policies = await Store.CreateKnowledgeBaseAsync(TenantA, "policies", Ct);
        await Store.CreateKnowledgeBaseAsync(TenantB, "manuals", Ct);
        Task<string> Of(params KnowledgeBaseId[] kbs) => versions.GetKnowledgeVersionAsync(TenantA, kbs, Ct);

        var empty = await Of(manuals.Id);
        (await Of(manuals.Id)).Should().Be(empty, "reading changes nothing");
        var otherBefore = await Of(policies.Id);

        var first = Write(TenantA, manuals.Id, "a.txt", "the gearbox needs oil every spring");
        await Store.UpsertDocumentAsync(first, Ct);
        var ingested = await Of(manuals.Id);
        ingested.Should().NotBe(empty);
        (await Of(policies.Id)).Should().Be(otherBefore, "a write to one knowledge base leaves the other's answers valid");

        await Store.UpsertDocumentAsync(Write(TenantA, manuals.Id, "a.txt", "the gearbox needs oil every autumn"), Ct);
        var replaced = await Of(manuals.Id);
        replaced.Should().NotBe(ingested);

        await Store.DeleteDocumentAsync(TenantA, first.DocumentId, Ct);
        (await Of(manuals.Id)).Should().NotBe(replaced);

        var all = await Of();
        all.Should().Contain(manuals.Id.Value).And.Contain(policies.Id.Value, "no knowledge base named means all of the tenant's");
        (await versions.GetKnowledgeVersionAsync(TenantB, [], Ct)).Should().NotContain(manuals.Id.Value);
    }
}
