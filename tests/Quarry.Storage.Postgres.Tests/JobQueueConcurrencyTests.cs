using System.Collections.Concurrent;
using System.Globalization;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Storage.Compliance;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The queue as several worker processes share it: each "replica" is its own store (own connection pool) on
/// one database.</summary>
public sealed class JobQueueConcurrencyTests : IAsyncLifetime
{
    private static readonly TenantId Tenant = new("tenant_a");
    private static readonly KnowledgeBaseId Kb = new("kb_jobs");
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static CancellationToken Ct => CancellationToken.None;

    private readonly ManualClock _clock = new();
    private readonly List<PostgresTestStore> _replicas = [];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
            await replica.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(_connectionString);
    }

    private PostgresTestStore Replica(int maxAttempts = 5)
    {
        var replica = PostgresTestStore.Open(_connectionString, _clock, o => o.MaxJobAttempts = maxAttempts);
        _replicas.Add(replica);
        return replica;
    }

    private static Task<IngestionJob> EnqueueAsync(PostgresTestStore store, int i) =>
        store.EnqueueAsync(new NewIngestionJob(Tenant, Kb, null, i.ToString(CultureInfo.InvariantCulture)), Ct);

    [Fact]
    public async Task Claimers_on_several_replicas_never_take_one_job_twice()
    {
        const int jobs = 200;
        var replicas = Enumerable.Range(0, 4).Select(_ => Replica()).ToList();
        // Jobs keep arriving through every replica while the others claim.
        var producers = replicas.Select((r, p) => Task.Run(async () =>
        {
            for (var i = p; i < jobs; i += replicas.Count)
                await EnqueueAsync(r, i);
        })).ToList();

        var claims = new ConcurrentBag<(string Worker, IngestionJob Job)>();
        var claimers = Enumerable.Range(0, 12).Select(w => Task.Run(async () =>
        {
            var store = replicas[w % replicas.Count];
            var worker = $"worker-{w}";
            var idle = 0;
            while (idle < 20)
            {
                if (await store.ClaimNextAsync(worker, Lease, Ct) is { } job)
                {
                    idle = 0;
                    claims.Add((worker, job));
                    (await store.CompleteAsync(job.Id, worker, JobStatus.Succeeded, null, Ct)).Should().BeTrue();
                }
                else if (producers.All(p => p.IsCompleted))
                {
                    idle++;
                }
                else
                {
                    await Task.Delay(5);
                }
            }
        })).ToList();
        await Task.WhenAll(producers.Concat(claimers));

        claims.Should().HaveCount(jobs);
        claims.Select(c => c.Job.Id).Should().OnlyHaveUniqueItems();
        claims.Select(c => c.Job.Payload).Should().BeEquivalentTo(Enumerable.Range(0, jobs).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        claims.Should().OnlyContain(c => c.Job.Attempts == 1);
        claims.Select(c => c.Worker).Distinct().Should().HaveCountGreaterThan(1, "the work is shared");
        var done = await replicas[0].ListAsync(Tenant, JobStatus.Succeeded, jobs + 1, Ct);
        done.Should().HaveCount(jobs);
    }

    [Fact]
    public async Task An_expired_lease_moves_the_job_to_another_replica_and_the_first_worker_loses_it()
    {
        var first = Replica();
        var second = Replica();
        var job = await EnqueueAsync(first, 1);
        (await first.ClaimNextAsync("worker-1", Lease, Ct))!.Id.Should().Be(job.Id);
        (await first.HeartbeatAsync(job.Id, "worker-1", Lease, new JobProgress("chunk", 1, 3), Ct)).Should().BeTrue();

        // worker-1 stops renewing (killed, paused): once its lease runs out, worker-2 on the other replica resumes.
        (await second.ClaimNextAsync("worker-2", Lease, Ct)).Should().BeNull();
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var resumed = await second.ClaimNextAsync("worker-2", Lease, Ct);

        resumed!.Id.Should().Be(job.Id);
        resumed.Attempts.Should().Be(2);
        resumed.LeaseOwner.Should().Be("worker-2");
        (await first.HeartbeatAsync(job.Id, "worker-1", Lease, new JobProgress("embed", 2, 3), Ct)).Should().BeFalse();
        (await first.CompleteAsync(job.Id, "worker-1", JobStatus.Succeeded, null, Ct)).Should().BeFalse();
        (await second.CompleteAsync(job.Id, "worker-2", JobStatus.Succeeded, null, Ct)).Should().BeTrue();
        (await second.CompleteAsync(job.Id, "worker-2", JobStatus.Succeeded, null, Ct)).Should().BeFalse("completion is idempotent");

        var stored = await first.GetAsync(Tenant, job.Id, Ct);
        stored!.Status.Should().Be(JobStatus.Succeeded);
        stored.Attempts.Should().Be(2);
        stored.LeaseOwner.Should().BeNull();
    }

    [Fact]
    public async Task A_job_whose_leases_keep_expiring_is_dead_lettered_after_the_maximum_attempts()
    {
        const int maxAttempts = 3;
        var store = Replica(maxAttempts);
        var poison = await EnqueueAsync(store, 1);

        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var claimed = await store.ClaimNextAsync($"worker-{attempt}", Lease, Ct);
            claimed!.Id.Should().Be(poison.Id);
            claimed.Attempts.Should().Be(attempt);
            _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        }
        var healthy = await EnqueueAsync(store, 2);

        var next = await store.ClaimNextAsync("worker-next", Lease, Ct);

        next!.Id.Should().Be(healthy.Id, "the dead-lettered job is not handed out again");
        var dead = await store.GetAsync(Tenant, poison.Id, Ct);
        dead!.Status.Should().Be(JobStatus.Failed);
        dead.Attempts.Should().Be(maxAttempts);
        dead.Error.Should().Contain($"after {maxAttempts} attempts").And.Contain("Dead-lettered");
        dead.LeaseOwner.Should().BeNull();
        (await store.CompleteAsync(poison.Id, $"worker-{maxAttempts}", JobStatus.Succeeded, null, Ct)).Should().BeFalse();
        _clock.Advance(Lease * 3);
        (await store.CompleteAsync(healthy.Id, "worker-next", JobStatus.Succeeded, null, Ct)).Should().BeTrue(
            "only claims whose lease expired count; the holder may still finish late as long as nobody took over");
    }

    [Fact]
    public async Task A_job_that_fails_under_the_attempt_limit_is_claimed_again_after_its_lease_expires()
    {
        var store = Replica(maxAttempts: 2);
        var job = await EnqueueAsync(store, 1);
        await store.ClaimNextAsync("worker-1", Lease, Ct);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));

        (await store.ClaimNextAsync("worker-2", Lease, Ct))!.Attempts.Should().Be(2);
        (await store.GetAsync(Tenant, job.Id, Ct))!.Status.Should().Be(JobStatus.Running);
    }
}
