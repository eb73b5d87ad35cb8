using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

public abstract partial class DocumentStoreComplianceTests<TStore>
{
    [Fact]
    public async Task Hidden_knowledge_bases_are_flagged_in_listings_and_found_by_name()
    {
        var eval = await Store.CreateKnowledgeBaseAsync(TenantA, "eval-scifact", hidden: true, Ct);
        await Store.CreateKnowledgeBaseAsync(TenantA, "manuals", Ct);

        eval.Hidden.Should().BeTrue();
        (await Store.FindKnowledgeBaseAsync(TenantA, "eval-scifact", Ct))!.Hidden.Should().BeTrue();
        (await Store.FindKnowledgeBaseAsync(TenantA, "manuals", Ct))!.Hidden.Should().BeFalse();
        (await Store.ListKnowledgeBasesAsync(TenantA, Ct)).Select(k => (k.Name, k.Hidden)).Should().BeEquivalentTo([("eval-scifact", true), ("manuals", false)]);
    }

    [Fact]
    public async Task Knowledge_bases_are_renamed_and_hidden_keeping_their_documents()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "drafts", Ct);
        await Store.CreateKnowledgeBaseAsync(TenantA, "taken", Ct);
        var write = Write(TenantA, kb.Id, "a.txt", "the gearbox needs oil every spring");
        await Store.UpsertDocumentAsync(write, Ct);

        var renamed = await Store.UpdateKnowledgeBaseAsync(TenantA, kb.Id, new KnowledgeBaseChange(Name: "archive", Hidden: true), Ct);
        renamed.Should().NotBeNull();
        renamed!.Name.Should().Be("archive");
        renamed.Hidden.Should().BeTrue();
        renamed.DocumentCount.Should().Be(1);
        (await Store.FindKnowledgeBaseAsync(TenantA, "drafts", Ct)).Should().BeNull();
        (await Store.FindKnowledgeBaseAsync(TenantA, "archive", Ct))!.Id.Should().Be(kb.Id);
        (await Store.SearchAsync(new KeywordSearchRequest("gearbox", SearchFilter.ForTenant(TenantA), 5), Ct)).Should().ContainSingle();

        // Only the named member changes.
        var shown = await Store.UpdateKnowledgeBaseAsync(TenantA, kb.Id, new KnowledgeBaseChange(Hidden: false), Ct);
        (shown!.Name, shown.Hidden).Should().Be(("archive", false));

        var conflict = () => Store.UpdateKnowledgeBaseAsync(TenantA, kb.Id, new KnowledgeBaseChange(Name: "taken"), Ct);
        await conflict.Should().ThrowAsync<StoreConflictException>();
        (await Store.UpdateKnowledgeBaseAsync(TenantB, kb.Id, new KnowledgeBaseChange(Name: "stolen"), Ct)).Should().BeNull("another tenant's knowledge base is not found");
        (await Store.FindKnowledgeBaseAsync(TenantA, "archive", Ct)).Should().NotBeNull();
    }
}
