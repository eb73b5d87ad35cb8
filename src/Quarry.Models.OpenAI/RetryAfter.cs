using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;

namespace Quarry.Models.OpenAI;

/// <summary>How long a throttled or unavailable server asked us to wait.</summary>
internal static class RetryAfter
{
    public static TimeSpan? From(Exception? exception, DateTimeOffset now) =>
        exception is ClientResultException e ? From(e.GetRawResponse(), now) : null;

    public static TimeSpan? From(PipelineResponse? response, DateTimeOffset now)
    {
        if (response is null)
            return null;
        // OpenAI sends the finer-grained retry-after-ms alongside Retry-After.
        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }
        return response.Headers.TryGetValue("Retry-After", out var value) ? Parse(value, now) : null;
    }

    /// <summary>RFC 9110: either delay-seconds or an HTTP-date.</summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
