using Npgsql;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Storage.Compliance;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>
/// What only a shared server makes possible: two store instances ("replicas", each with its own connection pool) on one
/// database, writing the same document, deleting under writers, reading under writers and following the change feed
/// while writers commit out of order.
/// </summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private PostgresTestStore _store = null!;
    private PostgresTestStore _replica = null!;

    public async Task InitializeAsync()
    {
        _store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        _replica = PostgresTestStore.Open(_store.ConnectionString, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _store.DisposeAsync();
    }

    private PostgresTestStore Replica(int i) => i % 2 == 0 ? _store : _replica;

    private static DocumentWrite Embedded(DocumentWrite write) => write with
    {
        Embeddings = OrdinalEmbeddings("m", [.. write.Chunks.Select((_, i) => new[] { i + 1f, write.Chunks.Count })]),
    };

    [Fact]
    public async Task Writers_on_two_replicas_replacing_one_document_leave_one_complete_version()
    {
        var kb = await _store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        const int writers = 8, rounds = 4;
        var writes = Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, rounds).Select(r => Embedded(
            Write(TenantA, kb.Id, "shared.txt", [.. Enumerable.Range(0, 1 + ((w + r) % 5)).Select(j => $"writer{w} round{r} chunk{j}")]))))
            .ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<(DocumentWrite Write, UpsertResult Result)>();
            for (var r = 0; r < rounds; r++)
            {
                var write = writes[(w * rounds) + r];
                mine.Add((write, await Replica(w).UpsertDocumentAsync(write, Ct)));
            }
            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        all.Should().OnlyContain(r => r.Result.Outcome != UpsertOutcome.Unchanged, "every write carries new content");
        all.Count(r => r.Result.Outcome == UpsertOutcome.Created).Should().Be(1);
        all.Select(r => r.Result.Version).Should().BeEquivalentTo(Enumerable.Range(1, writers * rounds), "versions are numbered without gaps or duplicates");
        var versions = await _replica.GetVersionsAsync(TenantA, writes[0].DocumentId, Ct);
        versions.Select(v => v.Version).Should().Equal(Enumerable.Range(1, writers * rounds));
        foreach (var (write, result) in all)
            versions[result.Version - 1].Checksum.Should().Be(write.Checksum, "version {0} is the write that was told so", result.Version);

        var winner = all.Single(r => r.Result.Version == writers * rounds).Write;
        var record = (await _store.GetDocumentAsync(TenantA, winner.DocumentId, Ct))!;
        record.Checksum.Should().Be(winner.Checksum);
        record.ChunkCount.Should().Be(winner.Chunks.Count);
        var chunks = await _replica.GetChunksAsync(TenantA, winner.DocumentId, Ct);
        chunks.Should().OnlyContain(c => c.Version == record.Version);
        chunks.Select(c => c.Text).Should().Equal(winner.Chunks.Select(c => c.Text));
        (await _store.GetDocumentTextAsync(TenantA, winner.DocumentId, Ct)).Should().Be(winner.NormalizedText);
        (await _store.GetDocumentEmbeddingsAsync(TenantA, winner.DocumentId, "m", Ct)).Select(e => e.ChunkId)
            .Should().Equal(chunks.Select(c => c.Id));
        (await CountAsync("SELECT count(*) FROM chunks")).Should().Be(winner.Chunks.Count, "no chunk of a replaced version is left");
        (await CountAsync("SELECT count(*) FROM embeddings")).Should().Be(winner.Chunks.Count);
        (await CountAsync("SELECT count(*) FROM document_versions WHERE normalized_text IS NOT NULL")).Should().Be(1);
    }

    [Fact]
    public async Task Deleting_the_document_while_replicas_replace_it_never_leaves_a_partial_one()
    {
        var kb = await _store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var id = Write(TenantA, kb.Id, "doomed.txt", "x").DocumentId;
        var firstWrite = new TaskCompletionSource();
        var deletes = 0;

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var r = 0; r < 15; r++)
            {
                await Replica(w).UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, "doomed.txt",
                    [.. Enumerable.Range(0, 1 + (r % 3)).Select(j => $"w{w} r{r} part{j}")])), Ct);
                firstWrite.TrySetResult();
            }
        })).ToList();
        var deleter = Task.Run(async () =>
        {
            await firstWrite.Task;
            while (!writers.TrueForAll(t => t.IsCompleted))
            {
                if (await _replica.DeleteDocumentAsync(TenantA, id, Ct))
                    Interlocked.Increment(ref deletes);
            }
        });
        await Task.WhenAll([.. writers, deleter]);

        deletes.Should().BePositive("the deleter ran while writers were writing");
        await AssertConsistentAsync();
        var record = await _store.GetDocumentAsync(TenantA, id, Ct);
        if (record is not null)
        {
            var chunks = await _store.GetChunksAsync(TenantA, id, Ct);
            chunks.Should().HaveCount(record.ChunkCount).And.OnlyContain(c => c.Version == record.Version);
        }

        (await _replica.DeleteDocumentAsync(TenantA, id, Ct)).Should().Be(record is not null);
        (await CountAsync("SELECT count(*) FROM chunks")).Should().Be(0);
        (await CountAsync("SELECT count(*) FROM embeddings")).Should().Be(0);
        (await CountAsync("SELECT count(*) FROM document_versions")).Should().Be(0);
    }

    [Fact]
    public async Task Deleting_the_knowledge_base_during_ingestion_stops_writers_cleanly_and_leaves_nothing()
    {
        var kb = await _store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var other = await _store.CreateKnowledgeBaseAsync(TenantA, "other", Ct);
        await _store.UpsertDocumentAsync(Embedded(Write(TenantA, other.Id, "kept.txt", "kept")), Ct);
        var written = 0;
        var refused = 0;

        // Writers go on until they are refused: on a busy machine the delete can come late, and a writer that stopped
        // early on its own would prove nothing. 20,000 rounds without a refusal would mean the delete starved.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var r = 0; r < 20_000; r++)
            {
                try
                {
                    await Replica(w).UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, $"doc-{w}-{r % 7}.txt", $"w{w} r{r} one", $"w{w} r{r} two")), Ct);
                    Interlocked.Increment(ref written);
                }
                catch (KeyNotFoundException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
            }
        })).ToList();
        while (Volatile.Read(ref written) < 8)
            await Task.Delay(5);
        (await _replica.DeleteKnowledgeBaseAsync(TenantA, kb.Id, Ct)).Should().BeTrue();
        await Task.WhenAll(writers);

        refused.Should().Be(4, "every writer that outlived the knowledge base was told it no longer exists");
        (await _store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct)).Items.Select(d => d.SourceUri).Should().Equal("kept.txt");
        (await CountAsync("SELECT count(*) FROM chunks")).Should().Be(1);
        (await CountAsync("SELECT count(*) FROM embeddings")).Should().Be(1);
        (await CountAsync("SELECT count(*) FROM document_tags")).Should().Be(0);
        await AssertConsistentAsync();
        var late = () => _store.UpsertDocumentAsync(Write(TenantA, kb.Id, "late.txt", "late"), Ct);
        await late.Should().ThrowAsync<KeyNotFoundException>().WithMessage($"*{kb.Id}*");
    }

    [Fact]
    public async Task A_reader_on_another_replica_never_sees_a_half_replaced_document()
    {
        var kb = await _store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        static DocumentWrite Version(KnowledgeBaseId kb, int v) =>
            Write(TenantA, kb, "live.txt", [.. Enumerable.Range(0, 1 + (v % 4)).Select(j => $"v{v} part{j} {new string('x', v % 7)}")]);
        var id = (await _store.UpsertDocumentAsync(Version(kb.Id, 0), Ct)).DocumentId;

        using var done = new CancellationTokenSource();
        var observations = 0;
        var spansChecked = 0;
        var reader = Task.Run(async () =>
        {
            var last = false;
            while (!last)
            {
                last = done.IsCancellationRequested;
                var before = await _replica.GetDocumentTextAsync(TenantA, id, Ct);
                var chunks = await _replica.GetChunksAsync(TenantA, id, Ct);
                var after = await _replica.GetDocumentTextAsync(TenantA, id, Ct);

                chunks.Should().NotBeEmpty("a replace never exposes a document without chunks");
                chunks.Select(c => c.Version).Distinct().Should().ContainSingle("chunks {0} mix versions", string.Join(", ", chunks.Select(c => c.Id)));
                chunks.Select(c => c.Ordinal).Should().Equal(Enumerable.Range(0, chunks.Count));
                var prefix = chunks[0].Text.Split(' ')[0];
                chunks.Should().OnlyContain(c => c.Text.StartsWith(prefix + " ", StringComparison.Ordinal));
                // Versions only move forward and each has its own text: the same text on both sides means no replace
                // committed in between, so the chunks read between belong to it.
                if (before is { } text && text == after)
                {
                    text.Should().StartWith(prefix + " ");
                    chunks.Should().OnlyContain(c => text.Substring(c.Span.Start, c.Span.Length) == c.Text);
                    Interlocked.Increment(ref spansChecked);
                }
                Interlocked.Increment(ref observations);
            }
        });

        for (var v = 1; v <= 40; v++)
            await _store.UpsertDocumentAsync(Version(kb.Id, v), Ct);
        await done.CancelAsync();
        await reader;

        observations.Should().BePositive();
        spansChecked.Should().BePositive("the last pass runs after the writes");
        (await _replica.GetDocumentAsync(TenantA, id, Ct))!.Version.Should().Be(41);
    }

    [Fact]
    public async Task A_follower_of_the_change_feed_sees_every_change_while_replicas_commit_out_of_order()
    {
        var kb = await _store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var start = await _replica.GetHeadAsync(Ct);
        using var done = new CancellationTokenSource();
        var seen = new List<long>();
        var follower = Task.Run(async () =>
        {
            var position = start;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                IndexChangePage page;
                do
                {
                    page = await _replica.ReadChangesAsync(position, 7, Ct);
                    page.Truncated.Should().BeFalse();
                    page.Changes.Select(c => c.Sequence).Should().BeInAscendingOrder();
                    page.Changes.All(c => c.Sequence > position).Should().BeTrue();
                    seen.AddRange(page.Changes.Select(c => c.Sequence));
                    position = page.Changes.Count > 0 ? page.Changes[^1].Sequence : position;
                }
                while (page.Changes.Count > 0);
                if (finished)
                    return;
            }
        });

        // Writers of different documents on two replicas, with different amounts of work per transaction, so that
        // transactions started later often commit earlier.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var r = 0; r < 12; r++)
            {
                var chunkCount = 1 + ((w * 7 + r * 3) % 9);
                var write = Embedded(Write(TenantA, kb.Id, $"doc-{w}-{r % 3}.txt", [.. Enumerable.Range(0, chunkCount).Select(j => $"w{w} r{r} c{j}")]));
                await Replica(w).UpsertDocumentAsync(write, Ct);
                if (r % 5 == 4)
                    await Replica(w + 1).DeleteDocumentAsync(TenantA, write.DocumentId, Ct);
            }
        })).ToList();
        await Task.WhenAll(writers);
        await done.CancelAsync();
        await follower;

        var committed = new List<long>();
        await using (var connection = new NpgsqlConnection(_store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT seq FROM index_changes WHERE seq > $1 ORDER BY seq;", connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = start });
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
                committed.Add(rows.GetInt64(0));
        }
        committed.Should().HaveCount(8 * (12 + 2));
        seen.Should().Equal(committed, "a follower that moved past a number never misses a change committed with it");
        (await _replica.GetHeadAsync(Ct)).Should().Be(committed[^1]);
    }

    /// <summary>Every stored document is whole: its version row exists and its chunks are exactly that version's.</summary>
    private async Task AssertConsistentAsync()
    {
        (await CountAsync("""
            SELECT count(*) FROM documents d
            WHERE NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version)
               OR (SELECT chunk_count FROM document_versions v WHERE v.tenant_id = d.tenant_id AND v.doc_id = d.id AND v.version = d.version)
                  <> (SELECT count(*) FROM chunks c WHERE c.tenant_id = d.tenant_id AND c.doc_id = d.id AND c.version = d.version)
            """)).Should().Be(0, "a document's chunks are those of its current version, all of them");
        (await CountAsync("""
            SELECT count(*) FROM chunks c
            WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = c.tenant_id AND d.id = c.doc_id AND d.version = c.version)
            """)).Should().Be(0, "no chunk outlives its document or version");
        (await CountAsync("""
            SELECT count(*) FROM embeddings e JOIN chunks c ON c.row_id = e.chunk_row_id
            WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = c.tenant_id AND d.id = c.doc_id)
            """)).Should().Be(0);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
