namespace Quarry.QueryExpansion;

/// <summary>The prompt that asks for rephrasings, and the reading of the reply.</summary>
internal static class QueryVariantPrompt
{
    public static string System(int variants) =>
        $"You help a search engine find documents. Write {variants} different search queries for the user's question: "
        + "rephrase it with synonyms, the terms a document would use, or the more specific or more general concept. "
        + "Keep every query about the same thing as the question. Reply with the queries only, one per line, "
        + "without numbering, quotes or explanations.";

    /// <summary>Up to <paramref name="max"/> distinct usable queries from the reply: list markers and quotes removed,
    /// the question itself, empty lines and lines too long to be a query dropped.</summary>
    public static IReadOnlyList<string> Parse(string reply, string question, int max)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Normalize(question) };
        var queries = new List<string>();
        foreach (var raw in reply.Split('\n'))
        {
            var line = StripMarker(raw.Trim()).Trim('"', '\'', '“', '”', '`').Trim();
            if (line.Length < 3 || line.Length > question.Length * 4 + 200 || line.EndsWith(':')) continue;
            if (!seen.Add(Normalize(line))) continue;
            queries.Add(line);
            if (queries.Count == max) break;
        }
        return queries;
    }

    private static string StripMarker(string line)
    {
        var i = 0;
        while (i < line.Length && char.IsAsciiDigit(line[i])) i++;
        if (i > 0 && i < line.Length && (line[i] == '.' || line[i] == ')')) return line[(i + 1)..];
        return line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal) || line.StartsWith("• ", StringComparison.Ordinal)
            ? line[2..] : line;
    }

    private static string Normalize(string query) =>
        string.Join(' ', query.Split(' ', StringSplitOptions.RemoveEmptyEntries)).TrimEnd('?', '.', '!');
}
