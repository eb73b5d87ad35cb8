using Microsoft.Extensions.DependencyInjection;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The shared rate-limit buckets: two "replicas" racing for one bucket never get more than it holds.</summary>
public sealed class SharedTokenBucketTests
{
    [Fact]
    public async Task Replicas_racing_for_one_bucket_get_exactly_its_tokens_and_buckets_are_independent()
    {
        await using var first = await PostgresTestStore.CreateAsync(TimeProvider.System);
        await using var second = PostgresTestStore.Open(first.ConnectionString, TimeProvider.System);
        var buckets = new[] { first, second }.Select(s => s.Services.GetRequiredService<ISharedTokenBuckets>()).ToArray();

        // A refill of one token per 1,000 s: nothing comes back during the test.
        var takes = Enumerable.Range(0, 40).Select(i => buckets[i % 2].TakeAsync("tenant:acme", 1, 0.001, 25, CancellationToken.None));
        var granted = await Task.WhenAll(takes);

        granted.Sum().Should().Be(25, "a new bucket starts full and no token is spent twice");
        (await buckets[0].TakeAsync("tenant:acme", 5, 0.001, 25, CancellationToken.None)).Should().Be(0);
        (await buckets[1].TakeAsync("tenant:globex", 30, 0.001, 25, CancellationToken.None)).Should().Be(25, "at most the burst, from the other tenant's own bucket");
    }

    [Fact]
    public async Task A_bucket_refills_at_its_rate()
    {
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        var buckets = store.Services.GetRequiredService<ISharedTokenBuckets>();
        (await buckets.TakeAsync("tenant:acme", 10, 20, 10, CancellationToken.None)).Should().Be(10);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        // 300 ms at 20 tokens/s refills about 6 (never more than the elapsed time allows, never above the burst).
        (await buckets.TakeAsync("tenant:acme", 10, 20, 10, CancellationToken.None)).Should().BeInRange(5, 10);
    }
}
