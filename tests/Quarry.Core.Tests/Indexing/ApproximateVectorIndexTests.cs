using Quarry.Access;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;

namespace Quarry.Core.Tests.Indexing;

/// <summary>The HNSW path of <see cref="InMemoryVectorIndex"/> against a brute-force reference over the same
/// (seeded, clustered) vectors: recall, filters, deletes, updates, and the threshold below which search stays exact.</summary>
public sealed class ApproximateVectorIndexTests
{
    private const string Model = "test-model";
    private const int Dimension = 48;
    private static readonly TenantId Tenant = new("tenant-a");
    private static readonly TenantId Other = new("tenant-b");

    /// <summary>3,000 vectors of tenant A in 40 clusters, 400 of tenant B; every 10th document of A is restricted to
    /// group:finance, documents cycle through three knowledge bases and carry a rare tag on every 50th.</summary>
    private static readonly Lazy<(List<VectorEntry> Entries, List<float[]> Queries)> Data = new(() => Build(seed: 11));

    private static (List<VectorEntry>, List<float[]>) Build(int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 40).Select(_ => Gaussian(random, 1.0)).ToList();
        var entries = new List<VectorEntry>();
        for (var d = 0; d < 850; d++)
        {
            var document = new VectorDocument(
                new DocumentId($"doc{d}"), d < 750 ? Tenant : Other, new KnowledgeBaseId($"kb-{d % 3}"), $"file:///d/{d}.md",
                new Dictionary<string, string> { ["rare"] = d % 50 == 0 ? "yes" : "no" }, DateTimeOffset.UnixEpoch.AddDays(d),
                d % 10 == 0 ? ["group:finance"] : null);
            for (var c = 0; c < 4; c++) entries.Add(new VectorEntry(new ChunkId($"doc{d}_c{c}"), document, Near(random, centres)));
        }
        var queries = Enumerable.Range(0, 40).Select(_ => Near(random, centres)).ToList();
        return (entries, queries);
    }

    private static float[] Near(Random random, List<float[]> centres)
    {
        var centre = centres[random.Next(centres.Count)];
        var noise = Gaussian(random, 0.35);
        return centre.Select((x, i) => x + noise[i]).ToArray();
    }

    private static float[] Gaussian(Random random, double sigma) =>
        Enumerable.Range(0, Dimension).Select(_ => (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    private static InMemoryVectorIndex NewIndex(int threshold) =>
        new(new VectorIndexOptions { Model = Model, Dimension = Dimension, ApproximateThreshold = threshold });

    private static Task<IReadOnlyList<VectorHit>> Search(InMemoryVectorIndex index, float[] query, SearchFilter filter, int limit = 10) =>
        index.SearchAsync(new VectorSearchRequest(query, Model, filter, limit), CancellationToken.None);

    private static bool Admits(VectorDocument d, SearchFilter f) =>
        d.TenantId == f.Tenant && f.Access.Permits(d.Allow)
        && (f.KnowledgeBases.Count == 0 || f.KnowledgeBases.Contains(d.KnowledgeBaseId))
        && f.TagsAll.All(t => d.Tags.TryGetValue(t.Key, out var v) && v == t.Value);

    private static HashSet<ChunkId> Exact(IEnumerable<VectorEntry> entries, float[] query, SearchFilter filter, int k = 10) =>
        entries.Where(e => Admits(e.Document, filter))
            .OrderByDescending(e => VectorTestData.Cosine(query, e.Vector.ToArray())).Take(k).Select(e => e.ChunkId).ToHashSet();

    private static async Task<double> RecallAsync(InMemoryVectorIndex index, IEnumerable<VectorEntry> entries, SearchFilter filter)
    {
        var (_, queries) = Data.Value;
        double found = 0, wanted = 0;
        var byChunk = entries.ToDictionary(e => e.ChunkId);
        foreach (var query in queries)
        {
            var expected = Exact(byChunk.Values, query, filter);
            var actual = await Search(index, query, filter);
            actual.Select(h => byChunk[h.ChunkId].Document).Should().OnlyContain(d => Admits(d, filter), "a filtered-out vector was returned");
            found += actual.Count(h => expected.Contains(h.ChunkId));
            wanted += expected.Count;
        }
        return found / wanted;
    }

    [Fact]
    public async Task Past_the_threshold_a_graph_answers_with_recall_at_10_of_at_least_095()
    {
        var (entries, _) = Data.Value;
        using var index = NewIndex(threshold: 1_000);
        index.Upsert(entries);

        index.GraphOf(Tenant).Should().Be((true, 3_000, 0));
        index.GraphOf(Other).Built.Should().BeFalse("tenant B's 400 vectors are below the threshold");
        (await RecallAsync(index, entries, SearchFilter.ForTenant(Tenant))).Should().BeGreaterThanOrEqualTo(0.95);
        index.ApproximateSearches.Should().Be(40);
    }

    [Fact]
    public async Task Filters_are_honoured_and_a_selective_filter_falls_back_to_the_exact_scan()
    {
        var (entries, _) = Data.Value;
        using var index = NewIndex(threshold: 1_000);
        index.Upsert(entries);

        // Two thirds of the tenant (2,000 vectors, above the threshold) and a caller outside group:finance: the graph answers.
        var broad = SearchFilter.ForTenant(Tenant) with { KnowledgeBases = [new("kb-0"), new("kb-1")], Access = AccessScope.For("ann", ["sales"]) };
        (await RecallAsync(index, entries, broad)).Should().BeGreaterThanOrEqualTo(0.95);
        index.ApproximateSearches.Should().Be(40);

        // 60 vectors carry the rare tag: far below the threshold, so the exact scan answers, with perfect recall.
        var rare = SearchFilter.ForTenant(Tenant) with { TagsAll = new Dictionary<string, string> { ["rare"] = "yes" } };
        (await RecallAsync(index, entries, rare)).Should().Be(1.0);
        // Tenant B has no graph; tenant A's graph never serves it.
        (await RecallAsync(index, entries, SearchFilter.ForTenant(Other))).Should().Be(1.0);
        index.ApproximateSearches.Should().Be(40);
    }

    [Fact]
    public async Task A_filter_admitting_a_small_share_of_a_large_graph_widens_the_walk_and_still_finds_enough()
    {
        var (entries, _) = Data.Value;
        using var index = NewIndex(threshold: 200);
        index.Upsert(entries);

        // kb-0 holds a third of the graph: ef is widened threefold and every result is admitted.
        var third = SearchFilter.ForTenant(Tenant) with { KnowledgeBases = [new("kb-0")] };
        (await RecallAsync(index, entries, third)).Should().BeGreaterThanOrEqualTo(0.95);
        index.ApproximateSearches.Should().Be(40);

        // Asking for 100 of a 1,000-vector subset: the widened walk would cover too much of it, so the scan answers.
        var hits = await Search(index, Data.Value.Queries[0], third, limit: 300);
        hits.Should().HaveCount(300);
        index.ApproximateSearches.Should().Be(40);
    }

    [Fact]
    public async Task Deleted_and_replaced_vectors_are_never_returned_through_removals_rebuilds_and_compaction()
    {
        var (entries, queries) = Data.Value;
        using var index = NewIndex(threshold: 1_000);
        index.Upsert(entries);
        var live = entries.ToDictionary(e => e.ChunkId);

        // Remove the documents owning each query's best hits, a few at a time, checking after every step.
        var removed = new HashSet<DocumentId>();
        for (var round = 0; round < 12; round++)
        {
            var best = await Search(index, queries[round], SearchFilter.ForTenant(Tenant), limit: 25);
            foreach (var document in best.Select(h => h.DocumentId).Distinct())
            {
                index.RemoveDocument(document).Should().BeTrue();
                removed.Add(document);
                foreach (var chunk in live.Keys.Where(k => live[k].Document.Id == document).ToList()) live.Remove(chunk);
            }
            foreach (var query in queries)
            {
                var hits = await Search(index, query, SearchFilter.ForTenant(Tenant));
                hits.Should().NotContain(h => removed.Contains(h.DocumentId), $"round {round}");
            }
        }
        index.GraphOf(Tenant).Live.Should().Be(live.Values.Count(e => e.Document.TenantId == Tenant));
        index.RowCount.Should().BeLessThan(entries.Count, "compaction ran at least once on the way");
        (await RecallAsync(index, live.Values, SearchFilter.ForTenant(Tenant))).Should().BeGreaterThanOrEqualTo(0.95);

        // A document replaced with new vectors: its old vectors vanish, a query equal to a new one finds it first.
        var target = live.Values.First(e => e.Document.TenantId == Tenant).Document;
        var fresh = Data.Value.Queries[39].Select(x => -x).ToArray();
        index.ReplaceDocument(target, [(new ChunkId(target.Id.Value + "_v2"), fresh)]);
        var top = await Search(index, fresh, SearchFilter.ForTenant(Tenant), limit: 10);
        top[0].ChunkId.Should().Be(new ChunkId(target.Id.Value + "_v2"));
        top.Count(h => h.DocumentId == target.Id).Should().Be(1);
        index.ApproximateSearches.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Below_the_threshold_every_search_is_exact_and_a_tenant_shrinking_below_half_drops_its_graph()
    {
        var (entries, queries) = Data.Value;
        using var index = NewIndex(threshold: 5_000);
        index.Upsert(entries);
        index.GraphOf(Tenant).Built.Should().BeFalse();
        (await RecallAsync(index, entries, SearchFilter.ForTenant(Tenant))).Should().Be(1.0);
        index.ApproximateSearches.Should().Be(0);

        using var shrinking = NewIndex(threshold: 2_000);
        shrinking.Upsert(entries);
        shrinking.GraphOf(Tenant).Built.Should().BeTrue();
        for (var d = 0; d < 520; d++) shrinking.RemoveDocument(new DocumentId($"doc{d}"));
        shrinking.GraphOf(Tenant).Built.Should().BeFalse("920 live vectors are below half the threshold");
        await Search(shrinking, queries[0], SearchFilter.ForTenant(Tenant));
        shrinking.ApproximateSearches.Should().Be(0);
    }

    [Fact]
    public async Task The_same_writes_build_the_same_graph()
    {
        var (entries, queries) = Data.Value;
        using var first = NewIndex(threshold: 1_000);
        using var second = NewIndex(threshold: 1_000);
        first.Upsert(entries);
        second.Upsert(entries);
        foreach (var query in queries.Take(10))
        {
            var a = await Search(first, query, SearchFilter.ForTenant(Tenant), limit: 20);
            var b = await Search(second, query, SearchFilter.ForTenant(Tenant), limit: 20);
            b.Should().Equal(a);
        }
    }
}
