using System.Text;

namespace Quarry.Answering;

/// <summary>Control characters (other than line breaks and tabs) in a question are noise from copy-paste or an attack on
/// the prompt's structure; they become spaces before anything else sees the question.</summary>
internal static class QuestionText
{
    public static string Clean(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var clean = new StringBuilder(question.Length);
        foreach (var ch in question) clean.Append(char.IsControl(ch) && ch is not ('\n' or '\t') ? ' ' : ch);
        return clean.ToString().Trim();
    }
}
