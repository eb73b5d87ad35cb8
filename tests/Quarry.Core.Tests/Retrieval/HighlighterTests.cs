using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Retrieval;

/// <summary>Highlighting skips words whose first letter no wanted stem has; it must find what stemming every word
/// finds.</summary>
public sealed class HighlighterTests
{
    private const string Text = "Refunds are refunded by the refund desk. Relational tables, rational ponies and ties; " +
        "Happy agreed digitizers hopping. Ünïcode Éclair ÉCLAIRS, U.S. policy, 3.5 days, don't PONY-express 42 items!";

    [Theory]
    [InlineData("refund")]
    [InlineData("How are refunds handled?")]
    [InlineData("relations pony happiness agree digitize hop")]
    [InlineData("éclair ünïcode u.s. 3.5 don't items")]
    [InlineData("the and of")]
    [InlineData("")]
    public void Finds_what_stemming_every_word_finds(string query)
    {
        var wanted = EnglishTerms.ContentStems(query);
        var expected = wanted.Count == 0 ? [] : EnglishTerms.Words(Text).Where(w => wanted.Contains(EnglishTerms.Stem(w.Text)))
            .Select(w => new TextSpan(w.Start, w.End)).ToList();

        Highlighter.Find(Text, query).Should().Equal(expected);
    }

    [Fact]
    public void The_stemmer_never_changes_a_first_letter()
    {
        foreach (var word in EnglishTerms.Words(Text + " ies sses eed ing ational ful ness alli bli logi y ys"))
            EnglishTerms.Stem(word.Text)[0].Should().Be(word.Text[0], word.Text);
    }
}
