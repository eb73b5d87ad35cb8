using Npgsql;

namespace Quarry.Storage.Postgres.Tests;

public sealed class TsQueryBuilderTests
{
    private static List<string?> Values(TsQuery query) => query.Parameters.Select(p => p.Value as string).ToList();

    [Theory]
    [InlineData("router password", new[] { "router", "password" })]
    [InlineData("how do I reset the router?", new[] { "reset", "router" })]
    [InlineData("to be or not to be", new[] { "to", "be", "or", "not" })]
    [InlineData("\"reset the router\" now", new[] { "reset the router", "now" })]
    [InlineData("\"unbalanced router", new[] { "unbalanced", "router" })]
    [InlineData("!router & (password | reset) <-> x:* 'y'", new[] { "router", "password", "reset", "x", "y" })]
    [InlineData("Crème BRÛLÉE crème", new[] { "crème", "brûlée" })]
    public void Each_term_is_a_bound_parameter_of_a_plain_text_parser(string input, string[] expected)
    {
        var query = TsQueryBuilder.Build(input)!;

        Values(query).Should().Equal(expected);
        query.Sql.Should().Be("(" + string.Join(" || ", expected.Select((_, i) => $"phraseto_tsquery('quarry_english', quarry_fold(@k{i}))")) + ")");
    }

    [Theory]
    [InlineData("'; DROP TABLE chunks; --")]
    [InlineData("a\\b\\\\c \\' \\\"")]
    [InlineData("$1 @k0 @tenant :name ?")]
    [InlineData("\u0000\u0001\u001f\uFFFF\uD800 x")]
    [InlineData("!!!&&&|||<->:*:A:B:*AB")]
    [InlineData("$$ $tag$ E'\\x00' U&'\\0041'")]
    public void Sql_holds_no_character_of_the_input(string input)
    {
        var query = TsQueryBuilder.Build(input);

        if (query is null) return;
        query.Sql.Should().MatchRegex(@"^\((phraseto_tsquery\('quarry_english', quarry_fold\(@k\d+\)\)( \|\| )?)+\)$");
        foreach (var value in Values(query))
            value.Should().MatchRegex(@"^[\p{L}\p{M}\p{N} ]+$").And.NotContain("\0");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("* : - ^ ( ) \" ' ; -- ! & | <-> \\")]
    public void Returns_null_when_nothing_is_searchable(string? input) =>
        TsQueryBuilder.Build(input).Should().BeNull();

    [Fact]
    public void Caps_the_number_of_terms_and_their_length()
    {
        var query = TsQueryBuilder.Build(string.Join(' ', Enumerable.Range(0, 500).Select(i => "w" + i)) + " " + new string('x', 10_000))!;

        query.Parameters.Should().HaveCount(64);
        Values(query)[0].Should().Be("w0");
        TsQueryBuilder.Build(new string('x', 10_000)).Should().BeNull("a 10k-letter word is noise, not a term");
    }

    [Fact]
    public void Corrections_are_prefix_lexemes_only_when_all_letters()
    {
        var corrections = new Dictionary<string, string>(StringComparer.Ordinal) { ["refnd"] = "refund", ["polcy"] = "x:*|y" };

        var query = TsQueryBuilder.Build("refnd polcy", corrections)!;

        Values(query).Should().Equal("refnd", "refund:*", "polcy");
        query.Sql.Should().Contain("to_tsquery('simple', @k1)");
        query.Parameters.Should().OnlyContain(p => p is NpgsqlParameter<string>);
    }
}
