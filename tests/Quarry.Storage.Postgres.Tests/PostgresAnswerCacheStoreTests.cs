using Microsoft.Extensions.DependencyInjection;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The answer cache's shared layer in PostgreSQL (table <c>answer_cache</c>, migration 0008), and the knowledge versions it keys on.</summary>
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

    [Fact]
    public async Task Folding_a_knowledge_bases_change_rows_keeps_its_version_and_the_next_write_still_changes_it()
    {
        var clock = new ManualClock();
        await using var store = await PostgresTestStore.CreateAsync(clock);
        var versions = store.Services.GetRequiredService<Quarry.Caching.IKnowledgeVersions>();
        var kb = await store.CreateKnowledgeBaseAsync(TestDocuments.TenantA, "kb", Ct);
        for (var i = 0; i < 70; i++)
            await store.UpsertDocumentAsync(TestDocuments.Write(TestDocuments.TenantA, kb.Id, $"d{i}.txt", $"text {i}"), Ct);

        var before = await versions.GetKnowledgeVersionAsync(TestDocuments.TenantA, [kb.Id], Ct);
        var after = await versions.GetKnowledgeVersionAsync(TestDocuments.TenantA, [kb.Id], Ct);
        await using var connection = new Npgsql.NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var rows = new Npgsql.NpgsqlCommand("SELECT count(*) FROM knowledge_changes", connection);

        after.Should().Be(before, "folding keeps the sum");
        ((long)(await rows.ExecuteScalarAsync())!).Should().Be(1, "the first read folded the 70 rows into one");
        await store.UpsertDocumentAsync(TestDocuments.Write(TestDocuments.TenantA, kb.Id, "d0.txt", "changed"), Ct);
        (await versions.GetKnowledgeVersionAsync(TestDocuments.TenantA, [kb.Id], Ct)).Should().NotBe(after);
    }
}
