using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using Quarry.Storage.Compliance;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>The fast paths of the SQLite store answer exactly what the slow ones did: keyword search that ranks inside
/// FTS5 and filters only the best rows, batched writes, and compaction of the keyword index.</summary>
public sealed class SqliteKeywordSpeedTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;
    private SqliteTestStore _store = null!;
    private KnowledgeBaseId _big, _small;

    public async Task InitializeAsync()
    {
        _store = await SqliteTestStore.CreateAsync(new ManualClock());
        _big = (await _store.CreateKnowledgeBaseAsync(TenantA, "big", Ct)).Id;
        _small = (await _store.CreateKnowledgeBaseAsync(TenantA, "small", Ct)).Id;
        // More matches in "big" than the first window holds, all ranking above the one in "small".
        var writes = Enumerable.Range(0, 150)
            .Select(i => Write(TenantA, _big, $"file:///big/{i}.txt", $"walrus walrus walrus colony number {i}"))
            .Append(Write(TenantA, _small, "file:///small/0.txt", "a long note about many things and one walrus among them"))
            .ToList();
        var results = await _store.Inner.UpsertDocumentsAsync(writes, Ct);
        results.Should().HaveCount(151).And.OnlyContain(r => r.Outcome == UpsertOutcome.Created);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private Task<IReadOnlyList<KeywordHit>> SearchAsync(SearchFilter filter, int limit) =>
        _store.SearchAsync(new KeywordSearchRequest("walrus colony", filter, limit), Ct);

    [Fact]
    public async Task A_filter_that_rejects_the_whole_first_window_still_finds_the_permitted_match()
    {
        var hits = await SearchAsync(new SearchFilter { Tenant = TenantA, KnowledgeBases = [_small] }, 10);

        hits.Should().ContainSingle().Which.DocumentId.Should().Be(DocumentIdentity.ForSource(TenantA, _small, "file:///small/0.txt"));
        (await SearchAsync(new SearchFilter { Tenant = TenantB }, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Compaction_and_window_sizes_leave_the_ranking_as_it_was()
    {
        var filter = SearchFilter.ForTenant(TenantA);
        var before = await SearchAsync(filter, 200);
        before.Should().HaveCount(151);
        before.Select(h => h.Score).Should().BeInDescendingOrder();

        await _store.Inner.CompactKeywordIndexAsync(1000, Ct);

        var after = await SearchAsync(filter, 200);
        after.Select(h => (h.ChunkId, h.Score)).Should().Equal(before.Select(h => (h.ChunkId, h.Score)));
        // A small limit (its own window) gives the head of the same list.
        (await SearchAsync(filter, 7)).Select(h => h.ChunkId).Should().Equal(before.Take(7).Select(h => h.ChunkId));
    }

    [Fact]
    public async Task A_word_written_after_it_was_probed_is_searched_as_written()
    {
        // The corrector's vocabulary stays as it was (the clock does not move); only the probe can tell the word is new.
        var filter = SearchFilter.ForTenant(TenantA);
        var corrected = await _store.SearchAsync(new KeywordSearchRequest("walrsu", filter, 200), Ct);
        corrected.Should().HaveCount(151, "an unknown word is searched as its correction, walrus");

        var source = "file:///small/walrsu.txt";
        await _store.Inner.UpsertDocumentsAsync([Write(TenantA, _small, source, "walrsu is how this note spells it")], Ct);

        var literal = await _store.SearchAsync(new KeywordSearchRequest("walrsu", filter, 200), Ct);
        literal.Should().ContainSingle().Which.DocumentId.Should().Be(DocumentIdentity.ForSource(TenantA, _small, source));
    }

    [Fact]
    public async Task Filters_on_the_chunk_and_on_its_document_give_the_same_answer_as_the_full_join()
    {
        // Tenant and knowledge base are checked on the chunk alone; a source prefix needs the document row.
        var chunkOnly = await SearchAsync(new SearchFilter { Tenant = TenantA, KnowledgeBases = [_big] }, 20);
        var withDocument = await SearchAsync(new SearchFilter { Tenant = TenantA, KnowledgeBases = [_big], SourcePrefix = "file:///big/" }, 20);
        var twoBases = await SearchAsync(new SearchFilter { Tenant = TenantA, KnowledgeBases = [_big, _small] }, 20);

        chunkOnly.Should().HaveCount(20);
        withDocument.Select(h => h.ChunkId).Should().Equal(chunkOnly.Select(h => h.ChunkId));
        twoBases.Select(h => h.ChunkId).Should().Equal(chunkOnly.Select(h => h.ChunkId));
        (await SearchAsync(new SearchFilter { Tenant = TenantA, KnowledgeBases = [_big], SourcePrefix = "file:///small/" }, 20)).Should().BeEmpty();
    }
}
