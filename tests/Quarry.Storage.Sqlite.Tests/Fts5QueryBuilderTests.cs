namespace Quarry.Storage.Sqlite.Tests;

public sealed class Fts5QueryBuilderTests
{
    [Theory]
    [InlineData("router password", "\"router\" OR \"password\"")]
    [InlineData("how do I reset the router?", "\"reset\" OR \"router\"")]
    [InlineData("to be or not to be", "\"to\" OR \"be\" OR \"or\" OR \"not\"")]
    [InlineData("\"reset the router\" now", "\"reset the router\" OR \"now\"")]
    [InlineData("\"unbalanced router", "\"unbalanced\" OR \"router\"")]
    [InlineData("NEAR(a b) AND title:x -y ^z*", "\"near\" OR \"b\" OR \"title\" OR \"x\" OR \"y\" OR \"z\"")]
    [InlineData("Crème BRÛLÉE crème", "\"crème\" OR \"brûlée\"")]
    [InlineData("e-mail v2.0", "\"e\" OR \"mail\" OR \"v2\" OR \"0\"")]
    [InlineData("東京 タワー", "\"東京\" OR \"タワー\"")]
    public void Builds_a_quoted_or_query(string input, string expected) =>
        Fts5QueryBuilder.Build(input).Should().Be(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("* : - ^ ( ) \" ' ; --")]
    public void Returns_null_when_nothing_is_searchable(string? input) =>
        Fts5QueryBuilder.Build(input).Should().BeNull();

    [Fact]
    public void Caps_the_number_of_terms()
    {
        var query = string.Join(' ', Enumerable.Range(0, 500).Select(i => "w" + i));

        var built = Fts5QueryBuilder.Build(query)!;

        built.Split(" OR ").Should().HaveCount(Fts5QueryBuilder.MaxTerms);
        built.Should().StartWith("\"w0\" OR \"w1\"");
    }

    [Fact]
    public void Never_emits_a_quote_inside_a_term()
    {
        var built = Fts5QueryBuilder.Build("a\"b\"\"c\"d \"e\"f\"")!;

        foreach (var term in built.Split(" OR "))
        {
            term.Should().StartWith("\"").And.EndWith("\"");
            term[1..^1].Should().NotContain("\"");
        }
    }
}
