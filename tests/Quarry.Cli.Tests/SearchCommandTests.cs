using Quarry.Cli.Tests.TestSupport;

namespace Quarry.Cli.Tests;

public sealed class SearchCommandTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    private async Task IngestAsync()
    {
        var dir = Path.Combine(_quarry.WorkDirectory, "kb");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "refunds.md"),
            "# Refund policy\n\n## Timing\n\nRefunds are paid within 14 days of receiving the returned item.\n\n## Exceptions\n\nGift cards cannot be refunded.\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "shipping.md"),
            "# Shipping\n\nParcels ship within two working days. Express delivery costs extra.\n");
        (await _quarry.RunAsync("ingest", dir, "--kb", "help", "--tag", "team=support")).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task Finds_the_matching_chunk_with_its_section_ranks_and_highlights()
    {
        await IngestAsync();

        var result = await _quarry.RunAsync("search", "when are refunds paid", "--kb", "help", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var json = result.Json;
        json.GetProperty("mode").GetString().Should().Be("keyword");
        json.GetProperty("degraded").GetString().Should().Contain("no embedder");
        var first = json.GetProperty("results")[0];
        first.GetProperty("title").GetString().Should().Be("Refund policy");
        first.GetProperty("section").EnumerateArray().Select(s => s.GetString()).Should().Equal("Refund policy", "Timing");
        first.GetProperty("keywordRank").GetInt32().Should().Be(1);
        var text = first.GetProperty("text").GetString()!;
        var highlighted = first.GetProperty("highlights").EnumerateArray().Select(h => text[h[0].GetInt32()..h[1].GetInt32()].ToLowerInvariant());
        highlighted.Should().Contain("refunds").And.Contain("paid");
    }

    [Fact]
    public async Task A_misspelled_query_still_finds_its_document()
    {
        await IngestAsync();

        var result = await _quarry.RunAsync("search", "refnd polcy", "--json");

        result.Json.GetProperty("results")[0].GetProperty("title").GetString().Should().Be("Refund policy", result.ToString());
    }

    [Fact]
    public async Task Filters_restrict_candidates_and_unknown_keys_are_refused()
    {
        await IngestAsync();

        var none = await _quarry.RunAsync("search", "refunds", "--filter", "tag.team=sales", "--json");
        none.Json.GetProperty("results").GetArrayLength().Should().Be(0);
        none.Json.GetProperty("reason").GetString().Should().Contain("No chunk matches");

        var some = await _quarry.RunAsync("search", "refunds", "--filter", "tag.team=support", "--json");
        some.Json.GetProperty("results").GetArrayLength().Should().BeGreaterThan(0);

        var unknown = await _quarry.RunAsync("search", "refunds", "--filter", "colour=red");
        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Contain("Unknown filter key 'colour'").And.Contain("tag.KEY=VALUE");
    }

    [Theory]
    [InlineData("\"unbalanced quote")]
    [InlineData("NEAR(refund shipping)")]
    [InlineData("refund* -shipping title:refund ^x")]
    [InlineData("*")]
    public async Task Query_syntax_characters_are_data(string query)
    {
        await IngestAsync();

        var result = await _quarry.RunAsync("search", query, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task Empty_and_oversized_queries_get_a_clear_error()
    {
        await IngestAsync();

        var empty = await _quarry.RunAsync("search", "   ");
        empty.ExitCode.Should().Be(2);
        empty.Stderr.Should().Contain("empty");

        var huge = await _quarry.RunAsync("search", new string('a', 10_000));
        huge.ExitCode.Should().Be(2);
        huge.Stderr.Should().Contain("10,000 characters");
    }

    [Fact]
    public async Task An_empty_knowledge_base_answers_with_a_reason()
    {
        (await _quarry.RunAsync("kb", "create", "empty")).ExitCode.Should().Be(0);

        var result = await _quarry.RunAsync("search", "anything", "--kb", "empty", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json.GetProperty("results").GetArrayLength().Should().Be(0);
        result.Json.GetProperty("reason").GetString().Should().Contain("no documents");

        var missing = await _quarry.RunAsync("search", "anything", "--kb", "nope");
        missing.ExitCode.Should().Be(1);
        missing.Stderr.Should().Contain("No knowledge base named 'nope'");
    }
}
