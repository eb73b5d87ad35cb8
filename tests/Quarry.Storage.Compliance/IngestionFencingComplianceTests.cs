using Quarry.Documents;
using Quarry.Ingestion;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>Deletes that stay deleted: deleting a document or knowledge base cancels its jobs, and a job that was
/// running at the time cannot write the document back.</summary>
public abstract class IngestionFencingComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IIngestionJobStore
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private const string Source = "file:///handbook.md";

    private async Task<(KnowledgeBase Kb, DocumentId Doc)> StoreFirstVersionAsync()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "handbook", Ct);
        var write = Write(TenantA, kb.Id, Source, "Version one of the handbook.");
        await Store.UpsertDocumentAsync(write, Ct);
        return (kb, write.DocumentId);
    }

    private async Task<IngestionJob> StartReingestAsync(KnowledgeBase kb, DocumentId doc)
    {
        var job = await Store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, doc, "{}"), Ct);
        (await Store.ClaimNextAsync("worker-1", Lease, Ct))!.Id.Should().Be(job.Id);
        return job;
    }

    [Fact]
    public async Task A_reingest_that_commits_after_a_delete_is_refused_and_the_document_stays_deleted()
    {
        var (kb, doc) = await StoreFirstVersionAsync();
        var job = await StartReingestAsync(kb, doc);

        (await Store.DeleteDocumentAsync(TenantA, doc, Ct)).Should().BeTrue();
        var late = Write(TenantA, kb.Id, Source, "Version two, parsed before the delete and committed after it.") with { Job = job.Id };
        var commit = () => Store.UpsertDocumentAsync(late, Ct);

        await commit.Should().ThrowAsync<JobFencedException>();
        (await Store.GetDocumentAsync(TenantA, doc, Ct)).Should().BeNull();
        (await Store.GetVersionsAsync(TenantA, doc, Ct)).Should().BeEmpty();
        var cancelled = await Store.GetAsync(TenantA, job.Id, Ct);
        cancelled!.Status.Should().Be(JobStatus.Cancelled);
        cancelled.Error.Should().Contain("deleted");
        (await Store.HeartbeatAsync(job.Id, "worker-1", Lease, new JobProgress("x", 0, 1), Ct)).Should().BeFalse("the worker learns it must stop");
    }

    [Fact]
    public async Task A_reingest_without_a_delete_commits_as_the_next_version()
    {
        var (kb, doc) = await StoreFirstVersionAsync();
        var job = await StartReingestAsync(kb, doc);

        var result = await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, Source, "Version two.") with { Job = job.Id }, Ct);

        result.Version.Should().Be(2);
        (await Store.GetVersionsAsync(TenantA, doc, Ct)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Deleting_a_document_cancels_its_queued_jobs_but_not_other_documents_jobs()
    {
        var (kb, doc) = await StoreFirstVersionAsync();
        var mine = await Store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, doc, "{}"), Ct);
        var other = await Store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, new DocumentId("doc_other"), "{}"), Ct);

        await Store.DeleteDocumentAsync(TenantA, doc, Ct);

        (await Store.GetAsync(TenantA, mine.Id, Ct))!.Status.Should().Be(JobStatus.Cancelled);
        (await Store.GetAsync(TenantA, other.Id, Ct))!.Status.Should().Be(JobStatus.Queued);
        (await Store.ClaimNextAsync("worker-1", Lease, Ct))!.Id.Should().Be(other.Id);
    }

    [Fact]
    public async Task Deleting_a_knowledge_base_cancels_and_fences_all_its_jobs()
    {
        var (kb, doc) = await StoreFirstVersionAsync();
        var running = await StartReingestAsync(kb, doc);
        var queued = await Store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, new DocumentId("doc_new"), "{}"), Ct);

        (await Store.DeleteKnowledgeBaseAsync(TenantA, kb.Id, Ct)).Should().BeTrue();

        (await Store.GetAsync(TenantA, running.Id, Ct))!.Status.Should().Be(JobStatus.Cancelled);
        (await Store.GetAsync(TenantA, queued.Id, Ct))!.Status.Should().Be(JobStatus.Cancelled);
        var late = () => Store.UpsertDocumentAsync(Write(TenantA, kb.Id, Source, "Too late.") with { Job = running.Id }, Ct);
        await late.Should().ThrowAsync<JobFencedException>();
        (await Store.GetDocumentAsync(TenantA, doc, Ct)).Should().BeNull();
    }
}
