using Quarry.Documents;
using Quarry.Ingestion;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>Fair scheduling every <see cref="IIngestionJobStore"/> must do: a tenant never holds more than its cap of
/// running jobs, and tenants take turns, so one tenant's backlog cannot hold every worker.</summary>
public abstract class FairClaimComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IIngestionJobStore
{
    private static readonly KnowledgeBaseId Kb = new("kb_fair");
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TenantId TenantC = new("tenant-c");

    private async Task<IngestionJob> EnqueueAsync(TenantId tenant)
    {
        var job = await Store.EnqueueAsync(new NewIngestionJob(tenant, Kb, null, "{}"), Ct);
        Clock.Advance(TimeSpan.FromMilliseconds(10));
        return job;
    }

    [Fact]
    public async Task A_tenant_at_its_running_cap_is_passed_over_for_another_tenants_later_job()
    {
        for (var i = 0; i < 5; i++) await EnqueueAsync(TenantA);
        var small = await EnqueueAsync(TenantB);

        var first = await Store.ClaimNextAsync("w1", Lease, 1, Ct);
        var second = await Store.ClaimNextAsync("w2", Lease, 1, Ct);
        var third = await Store.ClaimNextAsync("w3", Lease, 1, Ct);

        first!.TenantId.Should().Be(TenantA);
        second!.Id.Should().Be(small.Id, "tenant A already runs its one allowed job");
        third.Should().BeNull("both tenants are at their cap");

        (await Store.CompleteAsync(first.Id, "w1", JobStatus.Succeeded, null, Ct)).Should().BeTrue();
        (await Store.ClaimNextAsync("w1", Lease, 1, Ct))!.TenantId.Should().Be(TenantA, "finishing frees the tenant's slot");
    }

    [Fact]
    public async Task An_expired_lease_does_not_count_against_the_cap()
    {
        await EnqueueAsync(TenantA);
        var next = await EnqueueAsync(TenantA);
        await Store.ClaimNextAsync("dead", Lease, 1, Ct);
        (await Store.ClaimNextAsync("w2", Lease, 1, Ct)).Should().BeNull();

        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var reclaimed = await Store.ClaimNextAsync("w2", Lease, 1, Ct);
        reclaimed!.Attempts.Should().Be(2, "the expired job is the tenant's oldest claimable one");
        (await Store.ClaimNextAsync("w3", Lease, 1, Ct)).Should().BeNull("the re-claimed job is running again");
        (await Store.GetAsync(TenantA, next.Id, Ct))!.Status.Should().Be(JobStatus.Queued);
    }

    [Fact]
    public async Task Tenants_take_turns_in_the_order_of_their_last_claim()
    {
        for (var i = 0; i < 3; i++) await EnqueueAsync(TenantA);
        for (var i = 0; i < 2; i++) await EnqueueAsync(TenantB);
        await EnqueueAsync(TenantC);

        var order = new List<TenantId>();
        while (await Store.ClaimNextAsync("w", Lease, 10, Ct) is { } job)
            order.Add(job.TenantId);

        // Oldest job first while no tenant has had a turn, then whoever waited longest.
        order.Should().Equal(TenantA, TenantB, TenantC, TenantA, TenantB, TenantA);
    }

    [Fact]
    public async Task Without_a_cap_claims_stay_first_in_first_out_within_a_tenant()
    {
        var jobs = new List<JobId>();
        for (var i = 0; i < 4; i++) jobs.Add((await EnqueueAsync(TenantA)).Id);

        var claimed = new List<JobId>();
        while (await Store.ClaimNextAsync("w", Lease, Ct) is { } job)
            claimed.Add(job.Id);

        claimed.Should().Equal(jobs);
    }

    [Fact]
    public async Task Unfinished_payloads_of_every_tenant_are_listed_for_housekeeping()
    {
        await Store.EnqueueAsync(new NewIngestionJob(TenantA, Kb, null, "queued-a"), Ct);
        await Store.EnqueueAsync(new NewIngestionJob(TenantB, Kb, null, "running-b"), Ct);
        var done = await Store.EnqueueAsync(new NewIngestionJob(TenantA, Kb, null, "done-a"), Ct);
        await Store.CancelAsync(TenantA, done.Id, Ct);
        await Store.ClaimNextAsync("w", Lease, Ct);

        (await Store.ListUnfinishedPayloadsAsync(Ct)).Should().BeEquivalentTo("queued-a", "running-b");
    }
}
