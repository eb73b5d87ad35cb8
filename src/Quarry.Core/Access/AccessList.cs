namespace Quarry.Access;

/// <summary>
/// A document's access list: the principals allowed to read it, each <c>user:&lt;id&gt;</c> or <c>group:&lt;name&gt;</c>.
/// Empty means everyone who may read the knowledge base. Stored sorted and distinct, so equal lists have one key.
/// </summary>
public static class AccessList
{
    public const string UserPrefix = "user:";
    public const string GroupPrefix = "group:";
    public const int MaxEntries = 1000;
    private const int MaxEntryLength = 256;

    /// <summary>The normalized list, or an error sentence naming the first bad entry.</summary>
    public static (IReadOnlyList<string>? Allow, string? Error) Normalize(IEnumerable<string>? entries)
    {
        var list = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in entries ?? [])
        {
            var entry = raw?.Trim() ?? "";
            if (entry.Length == 0) continue;
            if (Error(entry) is { } error) return (null, error);
            list.Add(entry);
        }
        if (list.Count > MaxEntries) return (null, $"An access list holds at most {MaxEntries} entries.");
        return ([.. list], null);
    }

    /// <summary>One key per distinct list (entries cannot contain a newline).</summary>
    public static string Key(IReadOnlyList<string> allow) => string.Join('\n', allow);

    private static string? Error(string entry)
    {
        var name = entry.StartsWith(UserPrefix, StringComparison.Ordinal) ? entry[UserPrefix.Length..]
            : entry.StartsWith(GroupPrefix, StringComparison.Ordinal) ? entry[GroupPrefix.Length..]
            : null;
        if (name is null) return $"'{entry}' is not an access entry: use 'user:<id>' or 'group:<name>'.";
        if (name.Length == 0 || entry.Length > MaxEntryLength || name.Any(char.IsControl) || name != name.Trim())
            return $"'{entry}' is not an access entry: the name must be 1-{MaxEntryLength} printable characters.";
        return null;
    }
}
