using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Ingestion;
using Quarry.Retrieval;
using Quarry.Storage.Compliance;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>What only the SQLite file can show: migrations, durability across reopen, journal mode, rollback.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _directory = SqliteTestStore.NewDirectory();
    private readonly ManualClock _clock = new();
    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => SqliteTestStore.DeleteDirectory(_directory);

    private SqliteTestStore Open() => SqliteTestStore.Open(_directory, _clock);

    private string DatabasePath => Path.Combine(_directory, "quarry.db");

    private async Task<T> QueryAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(Ct))!, typeof(T), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Migrations_are_recorded_once_and_reopening_is_idempotent()
    {
        await using (var store = Open())
            await store.ListKnowledgeBasesAsync(TenantA, Ct);
        (await QueryAsync<long>("SELECT count(*) FROM schema_migrations")).Should().Be(SqliteMigrator.LatestVersion);
        (await QueryAsync<long>("SELECT max(version) FROM schema_migrations")).Should().Be(SqliteMigrator.LatestVersion);
        (await QueryAsync<long>("SELECT applied_at FROM schema_migrations WHERE version = 1")).Should().Be(_clock.GetUtcNow().ToUnixTimeMilliseconds());

        _clock.Advance(TimeSpan.FromHours(1));
        await using (var store = Open())
            await store.ListKnowledgeBasesAsync(TenantA, Ct);
        (await QueryAsync<long>("SELECT count(*) FROM schema_migrations")).Should().Be(SqliteMigrator.LatestVersion);
    }

    [Fact]
    public async Task A_database_newer_than_the_code_is_refused_with_a_clear_error()
    {
        await using (var store = Open())
            await store.ListKnowledgeBasesAsync(TenantA, Ct);
        await QueryAsync<long>("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0) RETURNING version");

        await using var newer = Open();
        var act = () => newer.ListKnowledgeBasesAsync(TenantA, Ct);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*schema version 999*newer*");
    }

    [Fact]
    public async Task Data_survives_reopening()
    {
        DocumentWrite write;
        IngestionJob job;
        await using (var store = Open())
        {
            var kb = await store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
            write = Write(TenantA, kb.Id, "a.txt", "durable narwhal facts", "second") with { Embeddings = OrdinalEmbeddings("m", [1f, 2f], [3f, 4f]) };
            await store.UpsertDocumentAsync(write, Ct);
            job = await store.EnqueueAsync(new NewIngestionJob(TenantA, kb.Id, null, "{}"), Ct);
        }

        await using (var reopened = Open())
        {
            (await reopened.GetDocumentAsync(TenantA, write.DocumentId, Ct))!.ChunkCount.Should().Be(2);
            (await reopened.GetChunksAsync(TenantA, write.DocumentId, Ct)).Should().HaveCount(2);
            (await reopened.SearchAsync(new KeywordSearchRequest("narwhal", SearchFilter.ForTenant(TenantA), 5), Ct)).Should().ContainSingle();
            var vectors = new List<StoredEmbedding>();
            await foreach (var e in reopened.ReadEmbeddingsAsync("m", Ct))
                vectors.Add(e);
            vectors.Should().HaveCount(2);
            (await reopened.GetAsync(TenantA, job.Id, Ct)).Should().BeEquivalentTo(job);
            (await reopened.UpsertDocumentAsync(write, Ct)).Outcome.Should().Be(UpsertOutcome.Unchanged);
        }
    }

    [Fact]
    public async Task Connections_use_wal_normal_sync_and_foreign_keys()
    {
        await using var store = Open();
        await store.ListKnowledgeBasesAsync(TenantA, Ct);

        (await QueryAsync<string>("PRAGMA journal_mode")).Should().Be("wal");
        await using var connection = await store.Inner.Database.OpenReadAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT synchronous FROM pragma_synchronous), (SELECT timeout FROM pragma_busy_timeout)";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        (await reader.ReadAsync(Ct)).Should().BeTrue();
        reader.GetInt64(0).Should().Be(1);
        reader.GetInt64(1).Should().Be(1, "NORMAL");
        reader.GetInt64(2).Should().Be(5000);
    }

    [Fact]
    public async Task A_failure_in_the_middle_of_a_replace_leaves_the_previous_version_intact()
    {
        await using var store = Open();
        var kb = await store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var v1 = Write(TenantA, kb.Id, "a.txt", "original albatross", "original chunk two") with { Embeddings = OrdinalEmbeddings("m", [1f], [2f]) };
        await store.UpsertDocumentAsync(v1, Ct);
        var before = await store.GetChunksAsync(TenantA, v1.DocumentId, Ct);

        // The third chunk violates a CHECK constraint after the old chunks were deleted and two new ones inserted.
        var broken = Write(TenantA, kb.Id, "a.txt", "replacement penguin", "replacement two", "bad");
        broken = broken with { Chunks = [broken.Chunks[0], broken.Chunks[1], broken.Chunks[2] with { TokenCount = -1 }] };
        var act = () => store.UpsertDocumentAsync(broken, Ct);
        await act.Should().ThrowAsync<SqliteException>();

        await AssertVersionOneIntactAsync(store, v1, before);
    }

    [Fact]
    public async Task A_cancelled_upsert_writes_nothing()
    {
        await using var store = Open();
        var kb = await store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var v1 = Write(TenantA, kb.Id, "a.txt", "original albatross", "original chunk two") with { Embeddings = OrdinalEmbeddings("m", [1f], [2f]) };
        await store.UpsertDocumentAsync(v1, Ct);
        var before = await store.GetChunksAsync(TenantA, v1.DocumentId, Ct);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var act = () => store.UpsertDocumentAsync(Write(TenantA, kb.Id, "a.txt", "replacement penguin"), cancelled.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();

        await AssertVersionOneIntactAsync(store, v1, before);
    }

    private static async Task AssertVersionOneIntactAsync(SqliteTestStore store, DocumentWrite v1, IReadOnlyList<Chunk> before)
    {
        var record = await store.GetDocumentAsync(TenantA, v1.DocumentId, Ct);
        record!.Version.Should().Be(1);
        record.Checksum.Should().Be(v1.Checksum);
        (await store.GetVersionsAsync(TenantA, v1.DocumentId, Ct)).Should().ContainSingle();
        (await store.GetDocumentTextAsync(TenantA, v1.DocumentId, Ct)).Should().Be(v1.NormalizedText);
        (await store.GetChunksAsync(TenantA, v1.DocumentId, Ct)).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
        var filter = SearchFilter.ForTenant(TenantA);
        (await store.SearchAsync(new KeywordSearchRequest("albatross", filter, 5), Ct)).Should().ContainSingle();
        (await store.SearchAsync(new KeywordSearchRequest("penguin replacement", filter, 5), Ct)).Should().BeEmpty();
        var vectors = new List<StoredEmbedding>();
        await foreach (var e in store.ReadEmbeddingsAsync("m", Ct))
            vectors.Add(e);
        vectors.Select(v => v.ChunkId).Should().BeEquivalentTo(before.Select(c => c.Id));
    }

    [Fact]
    public async Task Invalid_embeddings_are_rejected_before_anything_is_written()
    {
        await using var store = Open();
        var kb = await store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var write = Write(TenantA, kb.Id, "a.txt", "one");

        var wrongKey = () => store.UpsertDocumentAsync(write with { Embeddings = new ChunkEmbeddings("m", 1, [KeyValuePair.Create(new ChunkId("#7"), new ReadOnlyMemory<float>([1f]))]) }, Ct);
        var wrongDimension = () => store.UpsertDocumentAsync(write with { Embeddings = new ChunkEmbeddings("m", 2, [KeyValuePair.Create(new ChunkId("#0"), new ReadOnlyMemory<float>([1f]))]) }, Ct);

        await wrongKey.Should().ThrowAsync<ArgumentException>();
        await wrongDimension.Should().ThrowAsync<ArgumentException>();
        (await store.GetDocumentAsync(TenantA, write.DocumentId, Ct)).Should().BeNull();
    }

    [Fact]
    public void Registration_exposes_one_store_and_validates_options_at_start_up()
    {
        var services = new ServiceCollection().AddQuarrySqliteStorage(o => o.DataDirectory = _directory).BuildServiceProvider();
        using (services)
        {
            var documents = services.GetRequiredService<IDocumentStore>();
            documents.Should().BeSameAs(services.GetRequiredService<IKeywordIndex>()).And.BeSameAs(services.GetRequiredService<IIngestionJobStore>());
            services.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
        }

        using var invalid = new ServiceCollection().AddQuarrySqliteStorage(o => o.DataDirectory = "").BuildServiceProvider();
        var resolve = () => invalid.GetRequiredService<IDocumentStore>();
        resolve.Should().Throw<OptionsValidationException>().WithMessage("*DataDirectory*");
    }
}
