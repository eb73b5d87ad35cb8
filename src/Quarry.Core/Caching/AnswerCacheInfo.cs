namespace Quarry.Caching;

/// <param name="Hit">The answer came from the cache.</param>
/// <param name="Layer">"l1", "l2" or "semantic" for a hit; "bypass" when the client asked to skip the cache,
/// "off" when caching is disabled for the request; null for an ordinary miss.</param>
/// <param name="AgeSeconds">Seconds since the cached answer was computed (0 for a miss).</param>
public sealed record AnswerCacheInfo(bool Hit, string? Layer, double AgeSeconds)
{
    public static AnswerCacheInfo Miss { get; } = new(false, null, 0);
    public static AnswerCacheInfo Bypassed { get; } = new(false, "bypass", 0);
    public static AnswerCacheInfo Off { get; } = new(false, "off", 0);
}
