using Quarry.Tokenization;

namespace Quarry.Generation;

/// <summary>
/// The names and numbers of a question, stemmed like the answerer's terms: capitalized words other than the first
/// ("Which NFL team won Super Bowl 50?" → nfl, super, bowl, 50) and words holding a digit. They name what the question
/// is about, so a passage that holds none of them answers another question, whatever else it shares with this one.
/// </summary>
internal static class QuestionNames
{
    public static HashSet<string> Of(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        foreach (var word in EnglishTerms.Words(question))
        {
            var original = question.AsSpan(word.Start, word.End - word.Start);
            var isName = (!first && char.IsUpper(original[0])) || original.ContainsAny(Digits);
            first = false;
            if (isName && EnglishTerms.IsContent(word.Text)) names.Add(EnglishTerms.Stem(word.Text));
        }
        return names;
    }

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");
}
