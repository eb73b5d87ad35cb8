namespace Quarry.Conversations;

/// <summary>Which turns a session keeps under its limits: the newest ones, as many as fit, and always the newest.</summary>
public static class ConversationTrim
{
    /// <param name="turns">Every turn's ordinal and size, oldest first, the new one last.</param>
    /// <returns>The first ordinal kept, and the count and bytes of the turns kept.</returns>
    public static (int FirstKept, int Count, long Bytes) Keep(IReadOnlyList<(int Ordinal, long Bytes)> turns, ConversationLimits limits)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(limits);
        if (turns.Count == 0) return (int.MaxValue, 0, 0);
        var count = 0;
        long bytes = 0;
        var first = turns[^1].Ordinal;
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            if (count > 0 && (count + 1 > limits.MaxTurns || bytes + turns[i].Bytes > limits.MaxBytes)) break;
            count++;
            bytes += turns[i].Bytes;
            first = turns[i].Ordinal;
        }
        return (first, count, bytes);
    }
}
