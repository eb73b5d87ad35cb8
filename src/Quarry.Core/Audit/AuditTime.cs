using System.Globalization;

namespace Quarry.Audit;

/// <summary>How the API and the CLI read the time bounds of an audit query: ISO 8601, UTC unless an offset is given.</summary>
public static class AuditTime
{
    /// <returns>False when <paramref name="value"/> is given but not a time; a missing bound is a null time.</returns>
    public static bool TryParse(string? value, out DateTimeOffset? time)
    {
        time = null;
        if (value is null) return true;
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return false;
        time = parsed;
        return true;
    }
}
