using System.Text.Json;
using Quarry.Answering;

namespace Quarry.Caching;

/// <summary>What a cache layer holds for one question.</summary>
/// <param name="Evidence">The evidence event of a streamed computation, replayed to streaming clients; null when the
/// answer was computed for a JSON client (a streaming client then computes once more and stores it).</param>
internal sealed record CachedAnswer(long CreatedAtMs, string Question, Answer Answer, IReadOnlyList<Evidence>? Evidence)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>A poisoned, truncated or old-format entry reads as a miss: it is recomputed and overwritten.</summary>
    public static CachedAnswer? TryDeserialize(byte[] bytes)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<CachedAnswer>(bytes, Json);
            return entry is { Answer.Text: not null, Answer.Citations: not null, Question: not null } ? entry : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
