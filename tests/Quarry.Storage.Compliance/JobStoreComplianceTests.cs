using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Quarry.Documents;
using Quarry.Ingestion;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="IIngestionJobStore"/> must do: hand each job to one worker at a time, re-issue jobs
/// whose worker stopped renewing its lease, and finish each job once.</summary>
public abstract partial class JobStoreComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IIngestionJobStore
{
    private static readonly KnowledgeBaseId Kb = new("kb_jobs");
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private Task<IngestionJob> EnqueueAsync(TenantId? tenant = null, string payload = "{}") =>
        Store.EnqueueAsync(new NewIngestionJob(tenant ?? TenantA, Kb, null, payload), Ct);

    [GeneratedRegex("^job_[0-9a-f]{24}$")]
    private static partial Regex JobIdPattern();

    [Fact]
    public async Task Enqueued_jobs_are_queued_and_readable_by_their_tenant_only()
    {
        var doc = new DocumentId("doc_1");
        var job = await Store.EnqueueAsync(new NewIngestionJob(TenantA, Kb, doc, "{\"path\":\"a.txt\"}"), Ct);

        job.Id.Value.Should().MatchRegex(JobIdPattern().ToString());
        job.Status.Should().Be(JobStatus.Queued);
        job.TenantId.Should().Be(TenantA);
        job.KnowledgeBaseId.Should().Be(Kb);
        job.DocumentId.Should().Be(doc);
        job.Payload.Should().Be("{\"path\":\"a.txt\"}");
        job.Attempts.Should().Be(0);
        job.LeaseOwner.Should().BeNull();
        job.CreatedAt.Should().Be(job.UpdatedAt);

        (await Store.GetAsync(TenantA, job.Id, Ct)).Should().BeEquivalentTo(job);
        (await Store.GetAsync(TenantB, job.Id, Ct)).Should().BeNull();
        (await Store.ListAsync(TenantB, null, 10, Ct)).Should().BeEmpty();
        (await Store.CancelAsync(TenantB, job.Id, Ct)).Should().BeFalse();
        (await Store.GetAsync(TenantA, job.Id, Ct))!.Status.Should().Be(JobStatus.Queued);
    }

    [Fact]
    public async Task Lists_by_status_newest_first_with_a_limit()
    {
        var first = await EnqueueAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await EnqueueAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await EnqueueAsync();
        await Store.CancelAsync(TenantA, second.Id, Ct);

        (await Store.ListAsync(TenantA, null, 10, Ct)).Select(j => j.Id).Should().Equal(third.Id, second.Id, first.Id);
        (await Store.ListAsync(TenantA, null, 2, Ct)).Select(j => j.Id).Should().Equal(third.Id, second.Id);
        (await Store.ListAsync(TenantA, JobStatus.Queued, 10, Ct)).Select(j => j.Id).Should().Equal(third.Id, first.Id);
        (await Store.ListAsync(TenantA, JobStatus.Cancelled, 10, Ct)).Select(j => j.Id).Should().Equal(second.Id);
    }

    [Fact]
    public async Task Claims_the_oldest_queued_job_under_a_lease()
    {
        var first = await EnqueueAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        await EnqueueAsync(TenantB);

        var claimed = await Store.ClaimNextAsync("worker-1", Lease, Ct);

        claimed!.Id.Should().Be(first.Id);
        claimed.Status.Should().Be(JobStatus.Running);
        claimed.Attempts.Should().Be(1);
        claimed.LeaseOwner.Should().Be("worker-1");
        claimed.LeaseExpiresAt.Should().Be(Clock.GetUtcNow() + Lease);
        (await Store.ClaimNextAsync("worker-2", Lease, Ct))!.TenantId.Should().Be(TenantB);
        (await Store.ClaimNextAsync("worker-3", Lease, Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_job()
    {
        const int jobs = 24;
        for (var i = 0; i < jobs; i++)
            await EnqueueAsync(payload: i.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var claims = new ConcurrentBag<(string Worker, JobId Job)>();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            while (await Store.ClaimNextAsync($"worker-{w}", Lease, Ct) is { } job)
                claims.Add(($"worker-{w}", job.Id));
        }));
        await Task.WhenAll(workers);

        claims.Should().HaveCount(jobs);
        claims.Select(c => c.Job).Should().OnlyHaveUniqueItems();
        (await Store.ListAsync(TenantA, JobStatus.Running, 100, Ct)).Should().HaveCount(jobs).And.OnlyContain(j => j.Attempts == 1);
    }

    [Fact]
    public async Task An_expired_lease_is_claimed_again_with_attempts_incremented()
    {
        var job = await EnqueueAsync();
        await Store.ClaimNextAsync("dead-worker", Lease, Ct);

        (await Store.ClaimNextAsync("worker-2", Lease, Ct)).Should().BeNull("the lease is still valid");
        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var reclaimed = await Store.ClaimNextAsync("worker-2", Lease, Ct);

        reclaimed!.Id.Should().Be(job.Id);
        reclaimed.Attempts.Should().Be(2);
        reclaimed.LeaseOwner.Should().Be("worker-2");
        var progress = new JobProgress("embed", 1, 2);
        (await Store.HeartbeatAsync(job.Id, "dead-worker", Lease, progress, Ct)).Should().BeFalse();
        (await Store.CompleteAsync(job.Id, "dead-worker", JobStatus.Succeeded, null, Ct)).Should().BeFalse();
        (await Store.GetAsync(TenantA, job.Id, Ct))!.Status.Should().Be(JobStatus.Running);
    }

    [Fact]
    public async Task Heartbeats_extend_the_lease_and_record_progress()
    {
        var job = await EnqueueAsync();
        await Store.ClaimNextAsync("worker-1", Lease, Ct);

        Clock.Advance(TimeSpan.FromMinutes(4));
        (await Store.HeartbeatAsync(job.Id, "worker-1", Lease, new JobProgress("chunk", 3, 10), Ct)).Should().BeTrue();
        Clock.Advance(TimeSpan.FromMinutes(4));

        (await Store.ClaimNextAsync("worker-2", Lease, Ct)).Should().BeNull("the heartbeat renewed the lease");
        var stored = await Store.GetAsync(TenantA, job.Id, Ct);
        stored!.Progress.Should().Be(new JobProgress("chunk", 3, 10));
        (await Store.HeartbeatAsync(job.Id, "worker-2", Lease, new JobProgress("chunk", 4, 10), Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Completing_is_done_once_by_the_lease_owner()
    {
        var job = await EnqueueAsync();
        (await Store.CompleteAsync(job.Id, "worker-1", JobStatus.Succeeded, null, Ct)).Should().BeFalse("a queued job is not held by anyone");
        await Store.ClaimNextAsync("worker-1", Lease, Ct);

        (await Store.CompleteAsync(job.Id, "intruder", JobStatus.Succeeded, null, Ct)).Should().BeFalse();
        (await Store.CompleteAsync(job.Id, "worker-1", JobStatus.Failed, "parser crashed", Ct)).Should().BeTrue();
        (await Store.CompleteAsync(job.Id, "worker-1", JobStatus.Succeeded, null, Ct)).Should().BeFalse();

        var stored = await Store.GetAsync(TenantA, job.Id, Ct);
        stored!.Status.Should().Be(JobStatus.Failed);
        stored.Error.Should().Be("parser crashed");
        Clock.Advance(Lease * 2);
        (await Store.ClaimNextAsync("worker-2", Lease, Ct)).Should().BeNull("final jobs are never claimed again");
    }

    [Fact]
    public async Task Cancelled_jobs_are_not_claimed_and_cancel_only_applies_once()
    {
        var queued = await EnqueueAsync();
        var running = await EnqueueAsync();

        (await Store.CancelAsync(TenantA, queued.Id, Ct)).Should().BeTrue();
        var claimed = await Store.ClaimNextAsync("worker-1", Lease, Ct);
        claimed!.Id.Should().Be(running.Id);
        (await Store.CancelAsync(TenantA, running.Id, Ct)).Should().BeTrue();

        (await Store.HeartbeatAsync(running.Id, "worker-1", Lease, new JobProgress("x", 0, 1), Ct)).Should().BeFalse();
        (await Store.CompleteAsync(running.Id, "worker-1", JobStatus.Succeeded, null, Ct)).Should().BeFalse();
        (await Store.CancelAsync(TenantA, queued.Id, Ct)).Should().BeFalse();
        (await Store.CancelAsync(TenantA, new JobId("job_unknown"), Ct)).Should().BeFalse();
        (await Store.GetAsync(TenantA, running.Id, Ct))!.Status.Should().Be(JobStatus.Cancelled);
        Clock.Advance(Lease * 2);
        (await Store.ClaimNextAsync("worker-2", Lease, Ct)).Should().BeNull();
    }
}
