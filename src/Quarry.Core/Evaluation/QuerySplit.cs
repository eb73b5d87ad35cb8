namespace Quarry.Evaluation;

/// <summary>
/// Halves of a dataset by the parity of the trailing number of each query's first judged document id (squad-dev-a's
/// "03-017" → odd): questions about one passage always fall in the same half, so thresholds tuned on one half are
/// measured on passages they never saw.
/// </summary>
public enum QuerySplit
{
    All,
    Even,
    Odd,
}

public static class QuerySplits
{
    public static bool Includes(this QuerySplit split, BeirDataset data, string queryId)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (split == QuerySplit.All) return true;
        if (!data.Judgements.TryGetValue(queryId, out var judged) || judged.Count == 0) return false;
        var id = judged.Keys.Min(StringComparer.Ordinal)!;
        var end = id.Length;
        while (end > 0 && char.IsAsciiDigit(id[end - 1])) end--;
        if (end == id.Length) return false;
        var odd = (id[^1] - '0') % 2 == 1;
        return split == QuerySplit.Odd ? odd : !odd;
    }
}
