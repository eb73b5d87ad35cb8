using Microsoft.Extensions.DependencyInjection;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The answer cache's shared layer in PostgreSQL (table <c>answer_cache</c>, migration 0007).</summary>
public sealed class PostgresAnswerCacheStoreTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task An_entry_written_by_one_replica_is_read_by_another_until_it_expires()
    {
        var clock = new ManualClock();
        await using var one = await PostgresTestStore.CreateAsync(clock);
        await using var two = PostgresTestStore.Open(one.ConnectionString, clock);
        var writer = new PostgresAnswerCacheStore(one.Services.GetRequiredService<PostgresDatabase>(), clock);
        var reader = new PostgresAnswerCacheStore(two.Services.GetRequiredService<PostgresDatabase>(), clock);

        await writer.SetAsync("k", [1, 2, 3], TimeSpan.FromMinutes(5), Ct);
        (await reader.GetAsync("k", Ct)).Should().Equal(1, 2, 3);
        await writer.SetAsync("k", [4], TimeSpan.FromMinutes(5), Ct);
        (await reader.GetAsync("k", Ct)).Should().Equal(4);
        (await reader.GetAsync("other", Ct)).Should().BeNull();

        clock.Advance(TimeSpan.FromMinutes(6));
        (await reader.GetAsync("k", Ct)).Should().BeNull("expired entries are never served");
    }
}
