namespace Quarry.Evaluation;

/// <summary>
/// Latency summary with nearest-rank percentiles: the p-th percentile is the smallest sample with at least p% of the
/// samples at or below it, i.e. sorted[⌈p/100 · n⌉ − 1]. Always an observed value, never interpolated.
/// </summary>
public sealed record LatencyPercentiles(int Count, double Mean, double P50, double P95, double P99, double Max)
{
    public static LatencyPercentiles FromMilliseconds(IEnumerable<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.ToArray();
        if (sorted.Length == 0) throw new ArgumentException("At least one latency sample is needed.", nameof(samples));
        Array.Sort(sorted);
        return new(sorted.Length, sorted.Average(), NearestRank(sorted, 50), NearestRank(sorted, 95), NearestRank(sorted, 99), sorted[^1]);
    }

    public static double NearestRank(double[] sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
