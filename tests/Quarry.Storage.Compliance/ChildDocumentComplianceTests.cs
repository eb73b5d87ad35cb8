using Quarry.Documents;
using Quarry.Ingestion;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>Child documents (an email's attachments): listed by parent, deleted with it, and a child written by the
/// parent's job after the parent was deleted is refused.</summary>
public abstract class ChildDocumentComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IIngestionJobStore
{
    [Fact]
    public async Task Children_are_listed_with_their_parent_and_deleted_with_it_and_their_late_writes_are_fenced()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "mail", Ct);
        var email = Write(TenantA, kb.Id, "file:///refunds.eml", "Refund policy email.");
        await Store.UpsertDocumentAsync(email, Ct);
        var job = await Store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, email.DocumentId, "{}"), Ct);
        (await Store.ClaimNextAsync("worker-1", TimeSpan.FromMinutes(5), Ct))!.Id.Should().Be(job.Id);
        var policy = Write(TenantA, kb.Id, "file:///refunds.eml#attachment-1/policy.md", "Escalate disputes to finance.")
            with { ParentId = email.DocumentId, Job = job.Id };
        await Store.UpsertDocumentAsync(policy, Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "file:///other.md", "Unrelated."), Ct);

        var children = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, Parent = email.DocumentId }, Ct);
        children.Items.Select(d => (d.Id, d.ParentId)).Should().Equal((policy.DocumentId, (DocumentId?)email.DocumentId));
        (await Store.GetDocumentAsync(TenantA, email.DocumentId, Ct))!.ParentId.Should().BeNull();

        (await Store.DeleteDocumentAsync(TenantA, email.DocumentId, Ct)).Should().BeTrue();

        (await Store.GetDocumentAsync(TenantA, policy.DocumentId, Ct)).Should().BeNull("a parent's delete takes its children");
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct)).Total.Should().Be(1);
        var late = () => Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "file:///refunds.eml#attachment-2/terms.md", "Late child.")
            with { ParentId = email.DocumentId, Job = job.Id }, Ct);
        await late.Should().ThrowAsync<JobFencedException>();
    }

    [Fact]
    public async Task Changing_a_parents_access_list_changes_its_childrens_too()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "mail", Ct);
        var email = Write(TenantA, kb.Id, "file:///salaries.eml", "Salary review email.") with { Allow = ["group:hr"] };
        await Store.UpsertDocumentAsync(email, Ct);
        var sheet = Write(TenantA, kb.Id, "file:///salaries.eml#attachment-1/bands.md", "Salary bands.")
            with { ParentId = email.DocumentId, Allow = ["group:hr"] };
        await Store.UpsertDocumentAsync(sheet, Ct);
        var other = Write(TenantA, kb.Id, "file:///open.md", "Open to all.");
        await Store.UpsertDocumentAsync(other, Ct);

        await Store.SetDocumentAccessAsync(TenantA, email.DocumentId, ["user:ceo"], Ct);

        (await Store.GetDocumentAsync(TenantA, sheet.DocumentId, Ct))!.Allow.Should().Equal(["user:ceo"], "an attachment is never more open than its email");
        (await Store.GetDocumentAsync(TenantA, other.DocumentId, Ct))!.Allow.Should().BeEmpty();
    }
}
