using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Core.Tests.Indexing;

public sealed class InMemoryVectorIndexTests
{
    private const string Model = "test-model";

    private static InMemoryVectorIndex NewIndex(int dimension, bool quantize = false, int parallelThreshold = 16_384) =>
        new(new VectorIndexOptions { Model = Model, Dimension = dimension, Quantize = quantize, ParallelThreshold = parallelThreshold, ApproximateThreshold = int.MaxValue });

    private static Task<IReadOnlyList<VectorHit>> Search(InMemoryVectorIndex index, float[] query, SearchFilter filter, int limit = 10) =>
        index.SearchAsync(new VectorSearchRequest(query, Model, filter, limit), CancellationToken.None);

    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(2, 3, true)]
    [InlineData(3, 384, false)]
    [InlineData(4, 384, true)]
    [InlineData(5, 16, true)]
    public async Task Exact_search_equals_brute_force_under_every_filter(int seed, int dimension, bool parallel)
    {
        var data = VectorTestData.Random(seed, dimension, documents: 300, chunksPerDocument: 4);
        using var index = NewIndex(dimension, parallelThreshold: parallel ? 32 : 1_000_000);
        index.Upsert(data.Entries);
        var random = new Random(seed * 7919);

        foreach (var (name, filter) in VectorTestData.Filters(data.Documents))
        {
            for (var q = 0; q < 5; q++)
            {
                var query = VectorTestData.RandomVector(random, dimension);
                var expected = VectorTestData.BruteForce(data.Entries, query, filter, 10);
                var actual = await Search(index, query, filter);

                actual.Should().HaveCount(expected.Count, $"filter {name}");
                for (var i = 0; i < expected.Count; i++)
                {
                    // Rank by rank the scores agree; chunk ids agree too except where two scores tie within float rounding.
                    actual[i].Score.Should().BeApproximately(expected[i].Score, 1e-5, $"filter {name}, rank {i + 1}");
                    var own = data.Entries.Single(e => e.ChunkId == actual[i].ChunkId);
                    VectorTestData.Cosine(query, own.Vector.ToArray()).Should().BeApproximately(actual[i].Score, 1e-5);
                    actual[i].DocumentId.Should().Be(own.Document.Id);
                }
                if (expected.Count > 1 && expected[0].Score - expected[1].Score > 1e-4)
                    actual[0].ChunkId.Should().Be(expected[0].Chunk, $"filter {name}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Filter_selects_candidates_before_ranking(bool quantize)
    {
        // 500 chunks of kb-big lie close to the query; the only chunk of kb-small is far from it. Score-then-filter
        // over a top-k would lose it; filter-then-score must return it.
        const int Dim = 32;
        var random = new Random(42);
        var query = VectorTestData.RandomVector(random, Dim);
        using var index = NewIndex(Dim, quantize);
        var big = new VectorDocument(new DocumentId("big"), VectorTestData.TenantA, new KnowledgeBaseId("kb-big"), "file:///big", EmptyTags.Instance, VectorTestData.Epoch);
        var small = big with { Id = new DocumentId("small"), KnowledgeBaseId = new KnowledgeBaseId("kb-small"), SourceUri = "file:///small" };
        index.Upsert(Enumerable.Range(0, 500).Select(i =>
            new VectorEntry(new ChunkId($"big_{i}"), big, query.Select(x => x + (float)(random.NextDouble() - 0.5) * 0.2f).ToArray())));
        var far = query.Select(x => -x + (float)(random.NextDouble() - 0.5) * 0.1f).ToArray();
        index.Upsert([new VectorEntry(new ChunkId("small_0"), small, far)]);

        var unfiltered = await Search(index, query, SearchFilter.ForTenant(VectorTestData.TenantA), 10);
        unfiltered.Select(h => h.ChunkId.Value).Should().NotContain("small_0");

        var filtered = await Search(index, query, SearchFilter.ForTenant(VectorTestData.TenantA) with { KnowledgeBases = [new KnowledgeBaseId("kb-small")] }, 10);
        filtered.Should().ContainSingle().Which.ChunkId.Value.Should().Be("small_0");
        filtered[0].Score.Should().BeNegative();
    }

    [Fact]
    public async Task Int8_search_keeps_recall_at_10_of_at_least_095_on_clustered_data()
    {
        const int Dim = 384, Clusters = 40, PerCluster = 250, Queries = 60;
        var random = new Random(2024);
        var centres = Enumerable.Range(0, Clusters).Select(_ => VectorTestData.RandomVector(random, Dim)).ToArray();
        float[] Near(float[] centre, double spread) => centre.Select(x => x + (float)((random.NextDouble() * 2 - 1) * spread)).ToArray();
        var document = new VectorDocument(new DocumentId("d"), VectorTestData.TenantA, new KnowledgeBaseId("kb"), "file:///d", EmptyTags.Instance, VectorTestData.Epoch);
        var entries = new List<VectorEntry>();
        for (var c = 0; c < Clusters; c++)
        {
            for (var i = 0; i < PerCluster; i++) entries.Add(new VectorEntry(new ChunkId($"c{c}_{i}"), document, Near(centres[c], 0.6)));
        }
        using var exact = NewIndex(Dim);
        using var quantized = NewIndex(Dim, quantize: true, parallelThreshold: 2048);
        exact.Upsert(entries);
        quantized.Upsert(entries);

        var found = 0;
        for (var q = 0; q < Queries; q++)
        {
            var query = Near(centres[random.Next(Clusters)], 0.6);
            var truth = (await Search(exact, query, SearchFilter.ForTenant(VectorTestData.TenantA))).Select(h => h.ChunkId).ToHashSet();
            var approximate = await Search(quantized, query, SearchFilter.ForTenant(VectorTestData.TenantA));
            found += approximate.Count(h => truth.Contains(h.ChunkId));
            // Re-scored results carry exact cosine scores.
            foreach (var hit in approximate)
                hit.Score.Should().BeApproximately(VectorTestData.Cosine(query, entries.First(e => e.ChunkId == hit.ChunkId).Vector.ToArray()), 1e-5);
        }
        var recall = found / (double)(Queries * 10);
        recall.Should().BeGreaterThanOrEqualTo(0.95);
    }

    [Fact]
    public async Task Removing_documents_tombstones_then_compacts_past_a_quarter()
    {
        const int Dim = 8;
        var data = VectorTestData.Random(7, Dim, documents: 100, chunksPerDocument: 4);
        using var index = NewIndex(Dim);
        index.Upsert(data.Entries);
        index.Count.Should().Be(400);

        foreach (var d in data.Documents.Take(10)) index.RemoveDocument(d.Id).Should().BeTrue();
        index.RemoveDocument(data.Documents[0].Id).Should().BeFalse();
        index.Count.Should().Be(360);
        index.TombstoneCount.Should().Be(40, "10% removed stays below the compaction threshold");
        index.RowCount.Should().Be(400);

        foreach (var d in data.Documents.Skip(10).Take(15)) index.RemoveDocument(d.Id);
        index.TombstoneCount.Should().Be(0, "25% removed reaches the threshold");
        index.RowCount.Should().Be(300);
        index.Count.Should().Be(300);

        var live = data.Entries.Where(e => data.Documents.Skip(25).Contains(e.Document)).ToList();
        var random = new Random(1);
        foreach (var (name, filter) in VectorTestData.Filters(data.Documents))
        {
            var query = VectorTestData.RandomVector(random, Dim);
            var expected = VectorTestData.BruteForce(live, query, filter, 10);
            var actual = await Search(index, query, filter);
            actual.Select(h => h.Score).Should().Equal(expected.Select(e => e.Score), (a, b) => Math.Abs(a - b) < 1e-5, name);
        }

        // Re-adding a removed document after compaction works and reuses storage.
        index.Upsert(data.Entries.Where(e => e.Document == data.Documents[0]));
        index.Count.Should().Be(304);
        var back = await Search(index, data.Entries[0].Vector.ToArray(), SearchFilter.ForTenant(data.Documents[0].TenantId), 1);
        back[0].ChunkId.Should().Be(data.Entries[0].ChunkId);
    }

    [Fact]
    public async Task Upsert_replaces_a_chunk_vector_and_replace_document_drops_old_chunks()
    {
        const int Dim = 4;
        using var index = NewIndex(Dim);
        var doc = new VectorDocument(new DocumentId("d1"), VectorTestData.TenantA, new KnowledgeBaseId("kb"), "file:///d1", EmptyTags.Instance, VectorTestData.Epoch);
        var filter = SearchFilter.ForTenant(VectorTestData.TenantA);
        index.Upsert([new(new ChunkId("d1_v1_c0"), doc, new float[] { 1, 0, 0, 0 }), new(new ChunkId("d1_v1_c1"), doc, new float[] { 0, 1, 0, 0 })]);

        index.Upsert([new(new ChunkId("d1_v1_c0"), doc, new float[] { 0, 0, 5, 0 })]);
        index.Count.Should().Be(2);
        index.TombstoneCount.Should().Be(0, "a chunk of the same document is overwritten in place");
        var hit = (await Search(index, [0, 0, 1, 0], filter, 1)).Single();
        hit.ChunkId.Value.Should().Be("d1_v1_c0");
        hit.Score.Should().BeApproximately(1.0, 1e-6, "vectors are normalized on insert");

        // New version: new chunk ids, new metadata (tags) visible to filters.
        var v2 = doc with { Tags = new Dictionary<string, string> { ["status"] = "final" } };
        index.ReplaceDocument(v2, [(new ChunkId("d1_v2_c0"), new float[] { 0, 0, 0, 1 })]);
        index.Count.Should().Be(1);
        var hits = await Search(index, [1, 1, 1, 1], filter with { TagsAll = new Dictionary<string, string> { ["status"] = "final" } });
        hits.Should().ContainSingle().Which.ChunkId.Value.Should().Be("d1_v2_c0");

        // A chunk id moving to another document leaves the first one.
        var other = doc with { Id = new DocumentId("d2"), SourceUri = "file:///d2" };
        index.Upsert([new(new ChunkId("d1_v2_c0"), other, new float[] { 0, 0, 0, 1 })]);
        (await Search(index, [0, 0, 0, 1], filter)).Should().ContainSingle().Which.DocumentId.Value.Should().Be("d2");
        index.RemoveDocument(new DocumentId("d1")).Should().BeTrue();
        (await Search(index, [0, 0, 0, 1], filter)).Should().ContainSingle();
    }

    [Fact]
    public async Task Wrong_dimensions_and_models_are_rejected_with_both_values_named()
    {
        using var index = NewIndex(3);
        var doc = new VectorDocument(new DocumentId("d"), VectorTestData.TenantA, new KnowledgeBaseId("kb"), "file:///d", EmptyTags.Instance, VectorTestData.Epoch);
        index.Upsert([new(new ChunkId("ok"), doc, new float[] { 1, 2, 3 })]);

        var upsert = () => index.Upsert([new(new ChunkId("a"), doc, new float[] { 1, 2, 3 }), new(new ChunkId("b"), doc, new float[] { 1, 2, 3, 4, 5 })]);
        upsert.Should().Throw<ArgumentException>().Which.Message.Should().Contain("dimension 5").And.Contain("dimension 3").And.Contain("'b'");
        index.Count.Should().Be(1, "a rejected batch changes nothing");

        var nan = () => index.Upsert([new(new ChunkId("n"), doc, new float[] { 1, float.NaN, 3 })]);
        nan.Should().Throw<ArgumentException>();

        var query = () => Search(index, [1, 2], SearchFilter.ForTenant(VectorTestData.TenantA));
        (await query.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("dimension 2").And.Contain("dimension 3");

        var model = () => index.SearchAsync(new VectorSearchRequest(new float[] { 1, 2, 3 }, "other-model", SearchFilter.ForTenant(VectorTestData.TenantA), 10), CancellationToken.None);
        (await model.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("other-model").And.Contain(Model);
    }

    [Fact]
    public async Task Zero_limit_zero_query_and_cancellation()
    {
        using var index = NewIndex(3);
        var doc = new VectorDocument(new DocumentId("d"), VectorTestData.TenantA, new KnowledgeBaseId("kb"), "file:///d", EmptyTags.Instance, VectorTestData.Epoch);
        index.Upsert([new(new ChunkId("c"), doc, new float[] { 1, 2, 3 })]);
        (await Search(index, [1, 2, 3], SearchFilter.ForTenant(VectorTestData.TenantA), 0)).Should().BeEmpty();
        (await Search(index, [0, 0, 0], SearchFilter.ForTenant(VectorTestData.TenantA))).Should().BeEmpty();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var cancelled = () => index.SearchAsync(new VectorSearchRequest(new float[] { 1, 2, 3 }, Model, SearchFilter.ForTenant(VectorTestData.TenantA), 10), cts.Token);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Concurrent_readers_see_consistent_results_while_a_writer_replaces_documents()
    {
        const int Dim = 16;
        var data = VectorTestData.Random(11, Dim, documents: 200, chunksPerDocument: 3);
        using var index = NewIndex(Dim, quantize: true, parallelThreshold: 64);
        index.Upsert(data.Entries);
        var stable = data.Documents.Where(d => d.TenantId == VectorTestData.TenantA).Take(20).Select(d => d.Id).ToArray();
        var churn = data.Documents.Where(d => d.TenantId == VectorTestData.TenantA).Skip(20).ToArray();
        using var stop = new CancellationTokenSource();

        // The writer has a thread of its own: the readers run until it is done, so it must not wait for a pool thread
        // that they occupy. The readers are ordinary pool work whose searches often complete synchronously; their
        // parallel scans must make progress however busy the pool is.
        var writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(5);
            for (var round = 0; round < 300; round++)
            {
                var doc = churn[random.Next(churn.Length)];
                if (round % 3 == 0) index.RemoveDocument(doc.Id);
                else index.ReplaceDocument(doc, Enumerable.Range(0, 1 + random.Next(5)).Select(c => (new ChunkId($"{doc.Id.Value}_r{round}_c{c}"), (ReadOnlyMemory<float>)VectorTestData.RandomVector(random, Dim))));
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            var searches = 0;
            while (!writer.IsCompleted || searches < 20)
            {
                var query = VectorTestData.RandomVector(random, Dim);
                var all = await Search(index, query, SearchFilter.ForTenant(VectorTestData.TenantA), 20);
                all.Count.Should().BeLessThanOrEqualTo(20);
                all.Select(h => h.Score).Should().BeInDescendingOrder();
                all.Select(h => h.ChunkId).Should().OnlyHaveUniqueItems();
                all.Should().OnlyContain(h => h.ChunkId.Value.StartsWith(h.DocumentId.Value + "_", StringComparison.Ordinal));
                // Documents the writer never touches are always there, whole.
                var pinned = await Search(index, query, SearchFilter.ForTenant(VectorTestData.TenantA) with { Documents = stable }, 100);
                pinned.Should().HaveCount(60);
                searches++;
            }
            return searches;
        })).ToArray();
        await writer;
        var counts = await Task.WhenAll(readers);
        counts.Should().OnlyContain(c => c >= 20);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_parallel_scan_completes_on_the_callers_thread_when_no_helper_ever_runs(bool quantize)
    {
        const int Dim = 16;
        var data = VectorTestData.Random(21, Dim, documents: 400, chunksPerDocument: 4);
        using var helped = NewIndex(Dim, quantize, parallelThreshold: 32);
        var stuck = new NeverRunningScheduler();
        using var unhelped = new InMemoryVectorIndex(new VectorIndexOptions { Model = Model, Dimension = Dim, Quantize = quantize, ParallelThreshold = 32 })
        {
            HelperScheduler = stuck,
        };
        helped.Upsert(data.Entries);
        unhelped.Upsert(data.Entries);
        var random = new Random(8);

        for (var q = 0; q < 10; q++)
        {
            var query = VectorTestData.RandomVector(random, Dim);
            var pending = Search(unhelped, query, SearchFilter.ForTenant(VectorTestData.TenantA), 10);

            // Nothing the helpers were given has run, so the caller scanned every partition itself.
            pending.IsCompleted.Should().BeTrue();
            (await pending).Should().Equal(await Search(helped, query, SearchFilter.ForTenant(VectorTestData.TenantA), 10));
        }
        stuck.Queued.Should().BeGreaterThan(0, "the scan was parallel and offered partitions to helpers");
    }

    /// <summary>A pool with no free thread, taken to the extreme: tasks queue and never start.</summary>
    private sealed class NeverRunningScheduler : TaskScheduler
    {
        public int Queued { get; private set; }

        protected override void QueueTask(Task task) => Queued++;

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }

    [Fact]
    public async Task Loads_from_stored_embeddings_and_skips_documents_that_are_gone()
    {
        const int Dim = 3;
        var data = VectorTestData.Random(3, Dim, documents: 10, chunksPerDocument: 2);
        var byId = data.Documents.ToDictionary(d => d.Id);
        byId.Remove(new DocumentId("doc4"));
        var resolved = 0;

        async IAsyncEnumerable<StoredEmbedding> Stream()
        {
            foreach (var e in data.Entries)
            {
                await Task.Yield();
                yield return new StoredEmbedding(e.ChunkId, e.Document.Id, e.Document.TenantId, e.Document.KnowledgeBaseId, e.Vector);
            }
        }

        using var index = NewIndex(Dim);
        var loaded = await index.LoadAsync(Stream(), (tenant, id, _) =>
        {
            resolved++;
            return ValueTask.FromResult(byId.GetValueOrDefault(id));
        }, CancellationToken.None);

        loaded.Should().Be(18);
        index.Count.Should().Be(18);
        resolved.Should().Be(10, "each document's metadata is resolved once");
        var hits = await Search(index, [1, 1, 1], SearchFilter.ForTenant(VectorTestData.TenantA), 100);
        hits.Should().NotContain(h => h.DocumentId == new DocumentId("doc4"));
    }
}
