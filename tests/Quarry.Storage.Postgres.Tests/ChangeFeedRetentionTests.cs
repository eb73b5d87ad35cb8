using Npgsql;
using Quarry.Indexing;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Postgres.Tests;

public sealed class ChangeFeedRetentionTests
{
    [Fact]
    public async Task Writes_keep_the_newest_rows_and_a_reader_behind_them_is_told_to_rebuild()
    {
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System, o => o.IndexChangeRetention = 1_000);
        var kb = await store.CreateKnowledgeBaseAsync(TenantA, "kb", CancellationToken.None);
        await store.UpsertDocumentAsync(Write(TenantA, kb.Id, "a.txt", "one"), CancellationToken.None);
        // Rows written by many earlier writes, at once.
        await using (var connection = new NpgsqlConnection(store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var fill = new NpgsqlCommand("INSERT INTO index_changes (tenant_id, doc_id) SELECT 'tenant-a', 'doc_' || i FROM generate_series(1, 1500) i;", connection);
            await fill.ExecuteNonQueryAsync();
        }
        var early = await store.ReadChangesAsync(0, 10, CancellationToken.None);
        early.Truncated.Should().BeFalse("nothing is pruned until the next write");

        var written = await store.UpsertDocumentAsync(Write(TenantA, kb.Id, "b.txt", "two"), CancellationToken.None);

        var head = await store.GetHeadAsync(CancellationToken.None);
        head.Should().Be(1 + 1500 + 1);
        (await store.ReadChangesAsync(0, 10, CancellationToken.None)).Should().Match<IndexChangePage>(p => p.Truncated && p.Head == head && p.Changes.Count == 0);
        (await store.ReadChangesAsync(head - 1_001, 10, CancellationToken.None)).Truncated.Should().BeTrue("the row after that position was pruned");
        var kept = await store.ReadChangesAsync(head - 1_000, 2_000, CancellationToken.None);
        kept.Truncated.Should().BeFalse();
        kept.Changes.Should().HaveCount(1_000);
        kept.Changes[^1].Should().Be(new IndexChange(head, TenantA, written.DocumentId));
    }
}
