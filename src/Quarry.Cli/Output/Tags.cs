namespace Quarry.Cli.Output;

internal static class Tags
{
    /// <summary>Parses repeated "key=value" options; returns an error message for a malformed one.</summary>
    public static (Dictionary<string, string> Tags, string? Error) Parse(IEnumerable<string>? pairs)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                return (tags, $"'{pair}' is not a tag: use key=value.");
            tags[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return (tags, null);
    }
}
