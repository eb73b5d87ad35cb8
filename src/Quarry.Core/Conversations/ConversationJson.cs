using System.Text;
using System.Text.Json;
using Quarry.Answering;

namespace Quarry.Conversations;

/// <summary>How both stores keep a turn's citations: one JSON column, camelCase like the API.</summary>
public static class ConversationJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Citations(IReadOnlyList<Citation> citations) => JsonSerializer.Serialize(citations, Options);

    public static IReadOnlyList<Citation> Citations(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<Citation>>(json, Options) ?? [];

    public static long Size(ConversationTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Encoding.UTF8.GetByteCount(turn.Question) + Encoding.UTF8.GetByteCount(turn.RewrittenQuery ?? "")
            + Encoding.UTF8.GetByteCount(turn.Answer) + Encoding.UTF8.GetByteCount(Citations(turn.Citations));
    }
}
