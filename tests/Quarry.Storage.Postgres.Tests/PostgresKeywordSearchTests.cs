using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>Keyword search on the real server over rows written with plain SQL (independent of the upsert): user text
/// is data, stems and diacritics fold, stop-word-only queries still search, and scores follow the weights.</summary>
public sealed class PostgresKeywordSearchTests : IAsyncLifetime
{
    private static readonly TenantId Tenant = new("tenant-a");
    private PostgresTestStore _store = null!;

    private IKeywordIndex Index => _store.Services.GetRequiredService<IKeywordIndex>();

    public async Task InitializeAsync()
    {
        _store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        await _store.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        await ChunkRows.InsertAsync(_store.ConnectionString, Tenant, "kb",
        [
            new("router", "Router manual", "Reset the router password: hold the reset button, then set a new router password. NEAR and OR are words too."),
            new("cafe", "Menu", "The Café was RUNNING out of crème brûlée."),
            new("hamlet", "Hamlet", "To be, or not to be, that is the question."),
            new("refunds", "Refunds", "Our refund policy: refunds are paid within 14 days of the return."),
        ]);
        await ChunkRows.InsertAsync(_store.ConnectionString, new TenantId("tenant-b"), "kb-b",
            [new("secret", "Secret", "The merger with Globex closes in March; router included.")]);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<IReadOnlyList<string>> SearchAsync(string query, int limit = 20) =>
        (await Index.SearchAsync(new KeywordSearchRequest(query, SearchFilter.ForTenant(Tenant), limit), CancellationToken.None))
        .Select(h => h.DocumentId.Value).ToList();

    public static TheoryData<string> Hostile() =>
    [
        "!", "!!router", "router & password", "router | password", "router:*", ":*", "router <-> password", "<2>", "(router",
        "router)", "((((", "'", "''", "\"", "router' OR '1'='1", "'; DROP TABLE chunks; --", "\\", "\\\\'", "E'\\x00'",
        "$$", "$1", "@tenant", "router:A", "router:*AB", "!(router & !password)", "\u0000", "router\u0000password",
        "\u0001\u001f\u007f", "\uD800", "\uFFFF\uFFFE", "😀 emoji ruteur", "東京 タワー", "websearch: \"router -password\" or reset",
        new string('!', 10_000), string.Concat(Enumerable.Repeat("router & !password | <-> :* ( ' \\ ", 500)),
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_text_is_searched_as_data(string query)
    {
        var act = () => SearchAsync(query);

        await act.Should().NotThrowAsync();
    }

    [Fact]
    public async Task Operators_are_words_and_the_rest_still_matches()
    {
        (await SearchAsync("router & !password")).Should().StartWith("router");
        (await SearchAsync("NEAR")).Should().Equal("router");
        (await SearchAsync("router' OR '1'='1")).Should().Equal("router");
        (await SearchAsync("router", limit: 0)).Should().BeEmpty();
    }

    [Fact]
    public async Task Stems_case_and_diacritics_fold()
    {
        foreach (var query in new[] { "cafe", "runs", "creme brulee", "CAFÉ", "Cafe\u0301" })
            (await SearchAsync(query)).Should().Equal(["cafe"], query);
    }

    [Fact]
    public async Task A_query_of_only_stop_words_still_searches() =>
        (await SearchAsync("to be or not to be")).Should().StartWith("hamlet", "the router text has only \"or\"");

    [Fact]
    public async Task Misspellings_are_corrected_within_the_tenant_only()
    {
        (await SearchAsync("refnd polcy")).Should().StartWith("refunds");
        (await SearchAsync("reufnd")).Should().StartWith("refunds");
        (await SearchAsync("mergr globx")).Should().BeEmpty("the words exist only in another tenant");
    }

    [Fact]
    public async Task Ties_are_broken_by_insertion_order()
    {
        await ChunkRows.InsertAsync(_store.ConnectionString, Tenant, "kb",
            Enumerable.Range(0, 5).Select(i => new ChunkRows.Row($"twin{i}", "Twin", "identical platypus text")));

        (await SearchAsync("platypus")).Should().Equal("twin0", "twin1", "twin2", "twin3", "twin4");
    }
}
