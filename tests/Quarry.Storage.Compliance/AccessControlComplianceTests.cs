using Quarry.Access;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>
/// Document access lists inside every index: randomized callers with overlapping groups search a corpus of open and
/// restricted documents, and each result list must be exactly the first k of what that caller may see (computed here
/// from the unrestricted ranking): no hit outside the caller's access, and no hit missing because of post-filtering.
/// </summary>
public abstract class AccessControlComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IKeywordIndex
{
    protected const string Model = "acl-test";
    protected const int Dimension = 16;
    private static readonly string[] Words =
        ["router", "invoice", "salary", "holiday", "printer", "badge", "contract", "laptop", "pension", "parking", "vpn", "budget"];

    /// <summary>How many randomized keyword queries the store is asked: one caller in 13 is the bypass scope, so this
    /// makes over 10,000 restricted queries.</summary>
    protected virtual int KeywordQueries => 11_000;

    /// <summary>The vector index to check beside keyword search (built after the corpus is stored), or null.</summary>
    protected virtual Task<IVectorIndex?> VectorIndexAsync() => Task.FromResult<IVectorIndex?>(null);

    protected virtual int VectorQueries => 0;

    protected sealed record Caller(string Name, AccessScope Scope);

    protected sealed record Corpus(KnowledgeBase Kb, Dictionary<DocumentId, IReadOnlyList<string>> Allow, Dictionary<DocumentId, float[]> Vectors, List<Caller> Callers)
    {
        /// <summary>The oracle, written independently of <see cref="AccessScope.Permits"/>.</summary>
        public bool MaySee(Caller caller, DocumentId document) =>
            caller.Scope.Bypass || Allow[document].Count == 0 || Allow[document].Any(e => caller.Scope.Principals.Contains(e));
    }

    protected async Task<Corpus> BuildAsync(int seed, int documents = 120)
    {
        var random = new Random(seed);
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "acl", Ct);
        var groups = Enumerable.Range(0, 12).Select(i => "g" + i).ToArray();
        var users = Enumerable.Range(0, 10).Select(i => "u" + i).ToArray();
        var allow = new Dictionary<DocumentId, IReadOnlyList<string>>();
        var vectors = new Dictionary<DocumentId, float[]>();
        for (var d = 0; d < documents; d++)
        {
            var entries = new List<string>();
            if (random.NextDouble() > 0.3)
            {
                for (var e = random.Next(1, 4); e > 0; e--)
                    entries.Add(random.NextDouble() < 0.75 ? "group:" + groups[random.Next(groups.Length)] : "user:" + users[random.Next(users.Length)]);
            }
            var text = string.Join(' ', Enumerable.Range(0, 8).Select(_ => Words[random.Next(Words.Length)])) + " doc" + d;
            var vector = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var (normalized, _) = AccessList.Normalize(entries);
            var write = Write(TenantA, kb.Id, $"docs/{d}.txt", text) with { Allow = normalized, Embeddings = OrdinalEmbeddings(Model, vector) };
            await Store.UpsertDocumentAsync(write, Ct);
            allow[write.DocumentId] = normalized!;
            vectors[write.DocumentId] = vector;
        }
        // Overlapping memberships: every user in 1-4 groups, plus callers with no principal and the bypass scope.
        var callers = users.Select(u => new Caller(u, AccessScope.For(u, groups.OrderBy(_ => random.Next()).Take(random.Next(1, 5)))))
            .Append(new Caller("nobody", AccessScope.OpenOnly))
            .Append(new Caller("groups-only", AccessScope.For(null, ["g1", "g7"])))
            .Append(new Caller("bypass", AccessScope.Everything))
            .ToList();
        return new Corpus(kb, allow, vectors, callers);
    }

    private static SearchFilter Filter(Corpus corpus, AccessScope scope) =>
        new() { Tenant = TenantA, KnowledgeBases = [corpus.Kb.Id], Access = scope };

    [Fact]
    public async Task Randomized_keyword_queries_return_exactly_the_top_k_the_caller_may_see()
    {
        var corpus = await BuildAsync(seed: 16);
        var random = new Random(1616);
        var unrestricted = new Dictionary<string, IReadOnlyList<KeywordHit>>(StringComparer.Ordinal);
        var leaks = 0;
        var returned = 0;
        for (var i = 0; i < KeywordQueries; i++)
        {
            var caller = corpus.Callers[random.Next(corpus.Callers.Count)];
            var query = random.Next(3) == 0 ? Words[random.Next(Words.Length)] + " " + Words[random.Next(Words.Length)] : Words[random.Next(Words.Length)];
            var k = random.Next(1, 11);
            if (!unrestricted.TryGetValue(query, out var all))
                unrestricted[query] = all = await Store.SearchAsync(new KeywordSearchRequest(query, Filter(corpus, AccessScope.Everything), 1000), Ct);

            var hits = await Store.SearchAsync(new KeywordSearchRequest(query, Filter(corpus, caller.Scope), k), Ct);

            leaks += hits.Count(h => !corpus.MaySee(caller, h.DocumentId));
            returned += hits.Count;
            var expected = all.Where(h => corpus.MaySee(caller, h.DocumentId)).Take(k).Select(h => h.ChunkId).ToList();
            hits.Select(h => h.ChunkId).Should().Equal(expected, $"'{query}' top {k} for {caller.Name}");
        }
        leaks.Should().Be(0);
        returned.Should().BeGreaterThan(KeywordQueries, "the queries must find documents, or the test proves nothing");
    }

    [Fact]
    public async Task Randomized_vector_queries_return_exactly_the_top_k_the_caller_may_see()
    {
        var corpus = await BuildAsync(seed: 61);
        if (await VectorIndexAsync() is not { } index) return;
        var random = new Random(6161);
        for (var i = 0; i < VectorQueries; i++)
        {
            var caller = corpus.Callers[random.Next(corpus.Callers.Count)];
            var query = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var k = random.Next(1, 11);
            var hits = await index.SearchAsync(new VectorSearchRequest(query, Model, Filter(corpus, caller.Scope), k), Ct);

            hits.Should().OnlyContain(h => corpus.MaySee(caller, h.DocumentId), caller.Name);
            var expected = corpus.Vectors.Where(v => corpus.MaySee(caller, v.Key))
                .Select(v => (v.Key, Score: TestDocuments.Cosine(query, v.Value))).OrderByDescending(v => v.Score).Take(k).Select(v => v.Key).ToList();
            hits.Select(h => h.DocumentId).Should().Equal(expected, $"vector top {k} for {caller.Name}");
        }
    }

    [Fact]
    public async Task Listing_counts_and_pages_only_visible_documents_and_a_new_list_applies_at_once()
    {
        var corpus = await BuildAsync(seed: 7, documents: 40);
        foreach (var caller in corpus.Callers)
        {
            var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, KnowledgeBase = corpus.Kb.Id, Access = caller.Scope, Limit = 1000 }, Ct);
            var expected = corpus.Allow.Keys.Where(d => corpus.MaySee(caller, d)).ToHashSet();
            page.Items.Select(d => d.Id).Should().BeEquivalentTo(expected, caller.Name);
            page.Total.Should().Be(expected.Count);
        }

        // Restrict an open document to one user, without re-ingesting: search and listing follow, the record says so.
        var open = corpus.Allow.First(a => a.Value.Count == 0).Key;
        var text = (await Store.GetDocumentTextAsync(TenantA, open, Ct))!;
        var changed = await Store.SetDocumentAccessAsync(TenantA, open, ["user:carol"], Ct);
        changed!.Allow.Should().Equal("user:carol");
        var word = text.Split(' ')[^1];
        var others = await Store.SearchAsync(new KeywordSearchRequest(word, Filter(corpus, AccessScope.For("dave", ["g1"])), 10), Ct);
        others.Should().NotContain(h => h.DocumentId == open);
        var carol = await Store.SearchAsync(new KeywordSearchRequest(word, Filter(corpus, AccessScope.For("carol", [])), 10), Ct);
        carol.Should().Contain(h => h.DocumentId == open);

        // Re-ingesting new content without a list keeps the list; an empty list opens the document again.
        var reingest = Write(TenantA, corpus.Kb.Id, $"docs/{open}.txt", "changed") with { DocumentId = open, SourceUri = (await Store.GetDocumentAsync(TenantA, open, Ct))!.SourceUri };
        await Store.UpsertDocumentAsync(reingest, Ct);
        (await Store.GetDocumentAsync(TenantA, open, Ct))!.Allow.Should().Equal("user:carol");
        (await Store.SetDocumentAccessAsync(TenantA, open, [], Ct))!.Allow.Should().BeEmpty();
        (await Store.SetDocumentAccessAsync(TenantB, open, ["user:x"], Ct)).Should().BeNull("another tenant's document is not found");
    }
}
