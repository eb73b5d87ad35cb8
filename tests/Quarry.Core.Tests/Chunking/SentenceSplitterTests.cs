using Quarry.Chunking;

namespace Quarry.Core.Tests.Chunking;

public class SentenceSplitterTests
{
    private static string[] Split(string text)
    {
        var spans = new List<(int Start, int End)>();
        SentenceSplitter.Split(text, spans);
        return spans.Select(s => text[s.Start..s.End]).ToArray();
    }

    [Theory]
    [InlineData("One. Two! Three? Four", "One.|Two!|Three?|Four")]
    [InlineData("Use a token, e.g. a JWT. Then call it.", "Use a token, e.g. a JWT.|Then call it.")]
    [InlineData("See Fig. 3 and Dr. Smith. Next.", "See Fig. 3 and Dr. Smith.|Next.")]
    [InlineData("Pi is 3.14 here. 42 is next.", "Pi is 3.14 here.|42 is next.")]
    [InlineData("He said \"Stop.\" Then left.", "He said \"Stop.\"|Then left.")]
    [InlineData("It ends in lower case. and goes on", "It ends in lower case. and goes on")]
    [InlineData("Wait... What? (Yes.) \"Quoted\" start.", "Wait...|What?|(Yes.)|\"Quoted\" start.")]
    [InlineData("J. R. R. Tolkien wrote it. Fine.", "J. R. R. Tolkien wrote it.|Fine.")]
    [InlineData("这是第一句。这是第二句。", "这是第一句。|这是第二句。")]
    [InlineData("  padded.  ", "padded.")]
    public void Splits_on_sentence_ends_but_not_abbreviations_or_decimals(string text, string expected)
    {
        Split(text).Should().Equal(expected.Split('|'));
    }
}
