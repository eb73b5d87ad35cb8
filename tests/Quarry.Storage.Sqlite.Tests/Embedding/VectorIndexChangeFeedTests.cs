using Microsoft.Data.Sqlite;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite.Tests.Embedding;

/// <summary>
/// Two engines on one SQLite file, as two processes (a CLI command and a server, or two replicas): what one writes
/// reaches the other's in-memory vector index through the store's change feed, without a restart.
/// </summary>
public sealed class VectorIndexChangeFeedTests : IDisposable
{
    private readonly string _data = SqliteTestStore.NewDirectory();

    public void Dispose() => SqliteTestStore.DeleteDirectory(_data);

    private Task<EngineHost> Start(TimeProvider? time = null, TimeSpan? refresh = null) =>
        EngineHost.StartAsync(_data, new WordHashEmbedder("test:m", 32), time, refresh ?? TimeSpan.Zero);

    [Fact]
    public async Task Ingest_replace_and_delete_by_another_process_reach_the_index_before_its_next_search()
    {
        await using var reader = await Start();
        await using var writer = await Start();
        (await reader.VectorSearchAsync("car theft")).Should().BeEmpty();

        await writer.IngestAsync("kb", ("cars.txt", "Our car insurance covers theft."), ("boats.txt", "Boat insurance covers storms."));
        var cars = await writer.DocumentIdAsync("cars.txt");
        var boats = await writer.DocumentIdAsync("boats.txt");
        (await reader.VectorSearchAsync("car theft")).Should().BeEquivalentTo([cars, boats]);
        (await reader.SearchAsync("car theft")).Chunks[0].VectorRank.Should().Be(1);

        // A new version replaces the document's chunks: the old chunk ids leave the other index too.
        await writer.IngestAsync("kb", ("cars.txt", "Our car insurance covers theft and fire."));
        var chunkIds = (await writer.Store.GetChunksAsync(TenantId.Default, cars, CancellationToken.None)).Select(c => c.Id).ToList();
        var vector = (await reader.Embedder!.EmbedAsync(["car theft fire"], Quarry.Embedding.EmbeddingKind.Query, CancellationToken.None))[0];
        var hits = await reader.Vectors.SearchAsync(
            new Quarry.Indexing.VectorSearchRequest(vector, "test:m", Quarry.Retrieval.SearchFilter.ForTenant(TenantId.Default), 100), CancellationToken.None);
        hits.Where(h => h.DocumentId == cars).Select(h => h.ChunkId).Should().BeEquivalentTo(chunkIds);

        await writer.Store.DeleteDocumentAsync(TenantId.Default, cars, CancellationToken.None);
        (await reader.VectorSearchAsync("car theft")).Should().Equal(boats);

        var kb = await writer.KnowledgeBaseAsync("kb");
        await writer.Store.DeleteKnowledgeBaseAsync(TenantId.Default, kb.Id, CancellationToken.None);
        (await reader.VectorSearchAsync("boat storms")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_store_is_asked_at_most_once_per_refresh_interval()
    {
        var clock = new SteppingClock();
        await using var reader = await Start(clock, TimeSpan.FromSeconds(1));
        await using var writer = await Start();

        await writer.IngestAsync("kb", ("cars.txt", "Our car insurance covers theft."));
        (await reader.VectorSearchAsync("car theft")).Should().BeEmpty("the interval since loading has not passed");

        clock.Advance(TimeSpan.FromMilliseconds(999));
        (await reader.VectorSearchAsync("car theft")).Should().BeEmpty();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await reader.VectorSearchAsync("car theft")).Should().ContainSingle();
    }

    [Fact]
    public async Task An_index_behind_the_pruned_history_rebuilds_from_the_store()
    {
        await using var writer = await Start();
        await writer.IngestAsync("kb", ("gone.txt", "A car that will be deleted."), ("kept.txt", "A car that stays."));
        await using var reader = await Start();
        var gone = await writer.DocumentIdAsync("gone.txt");
        var kept = await writer.DocumentIdAsync("kept.txt");
        (await reader.VectorSearchAsync("car")).Should().BeEquivalentTo([gone, kept]);

        await writer.Store.DeleteDocumentAsync(TenantId.Default, gone, CancellationToken.None);
        await writer.IngestAsync("kb", ("new.txt", "A new car."));
        var added = await writer.DocumentIdAsync("new.txt");
        // What pruning does once the history exceeds its retention: the reader's next change is gone.
        await ExecuteAsync("DELETE FROM index_changes WHERE seq < (SELECT max(seq) FROM index_changes);");

        (await reader.VectorSearchAsync("car")).Should().BeEquivalentTo([kept, added]);
    }

    [Fact]
    public async Task Writes_prune_the_history_to_its_retention()
    {
        await using var writer = await EngineHost.StartAsync(_data, new WordHashEmbedder("test:m", 32), changeRetention: 1_000);
        await ExecuteAsync("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
            INSERT INTO index_changes (tenant_id, doc_id) SELECT 'default', 'doc' || i FROM n;
            """);

        await writer.IngestAsync("kb", ("cars.txt", "Our car insurance covers theft."));

        (await ScalarAsync("SELECT count(*) FROM index_changes;")).Should().Be(1_000);
        (await ScalarAsync("SELECT max(seq) - min(seq) + 1 FROM index_changes;")).Should().Be(1_000);
    }

    private async Task ExecuteAsync(string sql) => await ScalarAsync(sql);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "quarry.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is long value ? value : 0;
    }

    /// <summary>Time that moves only when told, for the monotonic timestamps intervals are measured with.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
