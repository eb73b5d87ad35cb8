using Quarry.Indexing;

namespace Quarry.Storage.Sqlite.Tests;

public sealed class SpellingCorrectorTests
{
    private static readonly SpellingCorrector Corrector = new([("refund", 12), ("polici", 30), ("police", 2), ("return", 9), ("router", 4), ("rout", 50)]);

    [Theory]
    [InlineData("refnd", "refund")]
    [InlineData("reufnd", "refund")]
    [InlineData("polcy", "polici")]
    [InlineData("retrun", "return")]
    public void Suggests_the_closest_indexed_term(string word, string expected) => Corrector.Suggest(word).Should().Be(expected);

    [Theory]
    [InlineData("xyzzy")]
    [InlineData("abc")]
    [InlineData("r2d2")]
    public void Says_nothing_when_no_term_is_close(string word) => Corrector.Suggest(word).Should().BeNull();

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("abcd", "abdc", 1)]
    [InlineData("same", "same", 0)]
    [InlineData("", "abc", 3)]
    public void Distance_is_optimal_string_alignment(string a, string b, int expected) =>
        SpellingCorrector.Distance(a, b, 10).Should().Be(expected);
}
