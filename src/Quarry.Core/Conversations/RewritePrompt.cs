namespace Quarry.Conversations;

/// <summary>The rewrite prompt and the check of what the model returned.</summary>
internal static class RewritePrompt
{
    public const string System = "You rewrite the last question of a conversation as one standalone search query. "
        + "Replace pronouns and references with the names and terms they refer to in the conversation, and keep the "
        + "question's own words. If the question already stands alone, repeat it unchanged. Reply with the query only, "
        + "on one line, without quotes or explanations.";

    /// <summary>The query on the reply's first line, or null when the reply is no usable query (empty, or so long that
    /// the model answered the question instead of rewriting it).</summary>
    public static string? Clean(string reply, string question)
    {
        var line = reply.Trim().Split('\n', 2)[0].Trim();
        foreach (var prefix in new[] { "Standalone query:", "Query:", "Rewritten query:" })
        {
            if (line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) line = line[prefix.Length..].Trim();
        }
        line = line.Trim('"', '\'', '“', '”', '`').Trim();
        if (line.Length == 0 || line.Length > question.Length * 4 + 200) return null;
        return line;
    }
}
