using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="IKeywordIndex"/> must do: rank by relevance, apply the whole filter before ranking,
/// and treat the query as data.</summary>
public abstract class KeywordIndexComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IKeywordIndex
{
    private Task<IReadOnlyList<KeywordHit>> SearchAsync(string query, SearchFilter? filter = null, int limit = 20) =>
        Store.SearchAsync(new KeywordSearchRequest(query, filter ?? SearchFilter.ForTenant(TenantA), limit), Ct);

    private async Task<(KnowledgeBase Kb, DocumentWrite Write)> AddAsync(
        string kbName, string source, string text, IReadOnlyDictionary<string, string>? tags = null)
    {
        var kb = await Store.FindKnowledgeBaseAsync(TenantA, kbName, Ct) ?? await Store.CreateKnowledgeBaseAsync(TenantA, kbName, Ct);
        var write = Write(TenantA, kb.Id, source, text) with { Tags = tags ?? EmptyTags.Instance };
        await Store.UpsertDocumentAsync(write, Ct);
        return (kb, write);
    }

    [Fact]
    public async Task Finds_words_and_ranks_the_better_match_first()
    {
        var strong = await AddAsync("kb", "strong.txt", "Reset the router password: hold the router reset button, then set a new router password.");
        var weak = await AddAsync("kb", "weak.txt", "Our office has a router somewhere in the basement next to the boiler and the printers.");
        await AddAsync("kb", "none.txt", "Holiday schedule for the canteen.");

        var hits = await SearchAsync("router password reset");

        hits.Select(h => h.DocumentId).Should().Equal(strong.Write.DocumentId, weak.Write.DocumentId);
        hits[0].Score.Should().BeGreaterThan(hits[1].Score);
        hits[0].ChunkId.Should().Be(DocumentIdentity.ForChunk(strong.Write.DocumentId, 1, 0));
    }

    [Fact]
    public async Task Matches_across_case_stems_and_diacritics()
    {
        var doc = await AddAsync("kb", "a.txt", "The Café was RUNNING out of crème brûlée.");

        foreach (var query in new[] { "cafe", "runs", "creme brulee", "CAFÉ" })
            (await SearchAsync(query)).Should().ContainSingle(query).Which.DocumentId.Should().Be(doc.Write.DocumentId);
    }

    [Fact]
    public async Task Misspelled_words_still_find_their_documents()
    {
        var refunds = await AddAsync("kb", "refunds.txt", "Our refund policy: refunds are paid within 14 days of the return.");
        await AddAsync("kb", "shipping.txt", "Shipping takes three to five working days within the country.");

        foreach (var query in new[] { "refnd polcy", "refund polciy", "reufnd" })
            (await SearchAsync(query)).Should().NotBeEmpty(query).And.Subject.First().DocumentId.Should().Be(refunds.Write.DocumentId, query);
    }

    [Fact]
    public async Task Spelling_suggestions_never_reach_outside_the_filter()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantB, "kb", Ct);
        await Store.UpsertDocumentAsync(Write(TenantB, kb.Id, "secret.txt", "The merger with Globex closes in March."), Ct);
        await AddAsync("kb", "mine.txt", "Quarterly report for the sales team.");

        (await SearchAsync("mergr globx")).Should().BeEmpty("tenant A has no such words, whatever tenant B has");
    }

    [Fact]
    public async Task Quoted_phrases_match_as_phrases()
    {
        var phrase = await AddAsync("kb", "a.txt", "the quick brown fox");
        await AddAsync("kb", "b.txt", "brown bears are quick");

        (await SearchAsync("\"quick brown\"")).Should().ContainSingle().Which.DocumentId.Should().Be(phrase.Write.DocumentId);
        (await SearchAsync("quick brown")).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_query_of_only_stopwords_still_searches()
    {
        var doc = await AddAsync("kb", "a.txt", "To be, or not to be, that is the question.");
        await AddAsync("kb", "b.txt", "Unrelated text about gardening.");

        (await SearchAsync("to be or not to be")).Select(h => h.DocumentId).Should().Equal(doc.Write.DocumentId);
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("\"\"")]
    [InlineData("*")]
    [InlineData("router*")]
    [InlineData("NEAR(")]
    [InlineData("NEAR(router password, 2)")]
    [InlineData("a:b")]
    [InlineData("title:router")]
    [InlineData("-x")]
    [InlineData("router -password")]
    [InlineData("^router")]
    [InlineData("\"unbalanced router")]
    [InlineData("router\" password \"reset")]
    [InlineData("(router OR) AND NOT")]
    [InlineData("AND")]
    [InlineData("OR NOT NEAR")]
    [InlineData("the of and")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("'; DROP TABLE chunks; --")]
    [InlineData("{router} [password] \\ / | & % $ # @ ! ~ ` + = < > ?")]
    [InlineData("\u0000\u0001\uFFFF\uD800")]
    [InlineData("😀 emoji ruteur")]
    public async Task Hostile_queries_never_throw(string query)
    {
        await AddAsync("kb", "a.txt", "Router password reset instructions. NEAR and OR are words too.");

        var act = () => SearchAsync(query);

        await act.Should().NotThrowAsync();
    }

    [Fact]
    public async Task Huge_queries_never_throw_and_still_match()
    {
        var doc = await AddAsync("kb", "a.txt", "The router password is on the sticker.");
        var huge = string.Concat(Enumerable.Repeat("lorem ipsum \"dolor* NEAR( a:b -x ", 400)) + " router";
        huge.Length.Should().BeGreaterThan(10_000);

        (await SearchAsync(huge)).Should().NotBeNull();
        (await SearchAsync("router " + huge)).Select(h => h.DocumentId).Should().Equal(doc.Write.DocumentId);
        (await SearchAsync(new string('x', 10_000))).Should().BeEmpty();
    }

    [Fact]
    public async Task Syntax_words_are_searched_as_words()
    {
        var doc = await AddAsync("kb", "a.txt", "Go NEAR the lake and turn NOT left");
        await AddAsync("kb", "b.txt", "Something else entirely");

        (await SearchAsync("NEAR")).Select(h => h.DocumentId).Should().Equal(doc.Write.DocumentId);
        (await SearchAsync("lake:NOT")).Select(h => h.DocumentId).Should().Equal(doc.Write.DocumentId);
    }

    [Fact]
    public async Task Knowledge_base_filter_applies_before_ranking()
    {
        await AddAsync("best", "a.txt", "invoice invoice invoice invoice");
        var target = await AddAsync("target", "b.txt", "an invoice appears once in this longer text about many other things");

        var hits = await SearchAsync("invoice", SearchFilter.ForTenant(TenantA) with { KnowledgeBases = [target.Kb.Id] }, limit: 1);

        hits.Should().ContainSingle().Which.DocumentId.Should().Be(target.Write.DocumentId);
    }

    [Fact]
    public async Task Document_filter_applies_before_ranking()
    {
        await AddAsync("kb", "a.txt", "invoice invoice invoice invoice");
        var target = await AddAsync("kb", "b.txt", "an invoice appears once in this longer text about many other things");
        var third = await AddAsync("kb", "c.txt", "invoice twice invoice");

        var hits = await SearchAsync("invoice", SearchFilter.ForTenant(TenantA) with { Documents = [target.Write.DocumentId, third.Write.DocumentId] }, limit: 5);

        hits.Select(h => h.DocumentId).Should().BeEquivalentTo([target.Write.DocumentId, third.Write.DocumentId]);
    }

    [Fact]
    public async Task All_of_tags_filter_applies_before_ranking()
    {
        await AddAsync("kb", "a.txt", "invoice invoice invoice invoice", Tags(("dept", "finance")));
        var target = await AddAsync("kb", "b.txt", "an invoice appears once in this longer text", Tags(("dept", "finance"), ("region", "eu")));
        await AddAsync("kb", "c.txt", "invoice invoice invoice", Tags(("region", "eu")));

        var filter = SearchFilter.ForTenant(TenantA) with { TagsAll = Tags(("dept", "finance"), ("region", "eu")) };
        var hits = await SearchAsync("invoice", filter, limit: 1);

        hits.Should().ContainSingle().Which.DocumentId.Should().Be(target.Write.DocumentId);
    }

    [Fact]
    public async Task Any_of_tags_filter_applies_before_ranking()
    {
        await AddAsync("kb", "a.txt", "invoice invoice invoice invoice", Tags(("dept", "finance")));
        var eu = await AddAsync("kb", "b.txt", "an invoice appears once in this longer text", Tags(("region", "eu")));
        var us = await AddAsync("kb", "c.txt", "one invoice in a long text about a great many other subjects", Tags(("region", "us")));
        await AddAsync("kb", "d.txt", "invoice invoice", Tags(("region", "apac")));

        var filter = SearchFilter.ForTenant(TenantA) with { TagsAny = [KeyValuePair.Create("region", "eu"), KeyValuePair.Create("region", "us")] };

        (await SearchAsync("invoice", filter, limit: 10)).Select(h => h.DocumentId).Should().BeEquivalentTo([eu.Write.DocumentId, us.Write.DocumentId]);
        (await SearchAsync("invoice", filter, limit: 1)).Should().ContainSingle().Which.DocumentId.Should().BeOneOf(eu.Write.DocumentId, us.Write.DocumentId);
    }

    [Fact]
    public async Task Source_prefix_filter_applies_before_ranking()
    {
        await AddAsync("kb", "public/a.txt", "invoice invoice invoice invoice");
        var target = await AddAsync("kb", "private/finance/b.txt", "an invoice appears once in this longer text");
        await AddAsync("kb", "private_old/c.txt", "invoice invoice invoice");

        var hits = await SearchAsync("invoice", SearchFilter.ForTenant(TenantA) with { SourcePrefix = "private/" }, limit: 1);

        hits.Should().ContainSingle().Which.DocumentId.Should().Be(target.Write.DocumentId);
    }

    [Fact]
    public async Task Updated_range_filter_applies_before_ranking()
    {
        await AddAsync("kb", "old.txt", "invoice invoice invoice invoice");
        Clock.Advance(TimeSpan.FromDays(10));
        var from = Clock.GetUtcNow();
        var target = await AddAsync("kb", "mid.txt", "an invoice appears once in this longer text");
        Clock.Advance(TimeSpan.FromDays(10));
        var to = Clock.GetUtcNow().AddDays(-1);
        await AddAsync("kb", "new.txt", "invoice invoice invoice");

        var filter = SearchFilter.ForTenant(TenantA) with { UpdatedFrom = from, UpdatedTo = to };
        var hits = await SearchAsync("invoice", filter, limit: 1);

        hits.Should().ContainSingle().Which.DocumentId.Should().Be(target.Write.DocumentId);
        (await SearchAsync("invoice", SearchFilter.ForTenant(TenantA) with { UpdatedFrom = from }, limit: 10)).Should().HaveCount(2);
        (await SearchAsync("invoice", SearchFilter.ForTenant(TenantA) with { UpdatedTo = to }, limit: 10)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Combined_filters_and_limit()
    {
        for (var i = 0; i < 12; i++)
            await AddAsync(i % 2 == 0 ? "even" : "odd", $"docs/{i}.txt", $"shared term number {i}", Tags(("n", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var even = await Store.FindKnowledgeBaseAsync(TenantA, "even", Ct);

        (await SearchAsync("shared", limit: 5)).Should().HaveCount(5);
        var filtered = await SearchAsync("shared", SearchFilter.ForTenant(TenantA) with
        {
            KnowledgeBases = [even!.Id],
            TagsAll = Tags(("n", "0")),
            SourcePrefix = "docs/",
        }, limit: 50);
        // Even i with i % 3 == 0: 0, 6.
        filtered.Should().HaveCount(2);
        (await SearchAsync("shared", limit: 0)).Should().BeEmpty();
    }

    [Fact]
    public async Task Search_is_scoped_to_the_tenant()
    {
        await AddAsync("kb", "a.txt", "platypus habitat");
        var kbB = await Store.CreateKnowledgeBaseAsync(TenantB, "kb", Ct);
        var mine = Write(TenantB, kbB.Id, "a.txt", "platypus diet");
        await Store.UpsertDocumentAsync(mine, Ct);

        (await SearchAsync("platypus", SearchFilter.ForTenant(TenantB))).Should().ContainSingle().Which.DocumentId.Should().Be(mine.DocumentId);
        (await SearchAsync("platypus", SearchFilter.ForTenant(new TenantId("tenant-c")))).Should().BeEmpty();
    }
}
